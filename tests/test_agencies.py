"""Agency mentions: every spelling of the vocabulary resolves to its type; lists expand; roles."""

from __future__ import annotations

import pytest

from cchc_graph.iris import Iris
from cchc_graph.parse.assignments import column_mentions, read_assignment
from cchc_graph.parse.gazetteer import gazetteer_for, unresolved_body
from cchc_graph.records import AgencyMention
from cchc_graph.resolve.agencies import AgencyRegistry
from cchc_graph.resources import load_lexicon

LEXICON = load_lexicon()


def _aliases() -> list[tuple[str, str]]:
    cases = []
    for agency_type in LEXICON.agency_types.values():
        concept = agency_type.concept
        for alias in (concept.label_vi, *concept.alt_labels):
            cases.append((agency_type.slug, alias.replace("{province}", "Khánh Hòa")))
    return cases


@pytest.mark.parametrize("slug,alias", _aliases(), ids=[f"{s}:{a}" for s, a in _aliases()])
def test_every_alias_resolves_to_its_type(slug: str, alias: str) -> None:
    found = gazetteer_for(LEXICON, "khanh-hoa").find(alias)
    assert found, alias
    assert found[0].mention.type_slug == slug
    assert found[0].start == 0 and found[0].end == len(alias)


def _short_names() -> list[tuple[str, str]]:
    return [
        (t.slug, short)
        for t in LEXICON.agency_types.values()
        if t.slug.startswith("so-")
        for short in t.short_names
    ]


@pytest.mark.parametrize("slug,short", _short_names(), ids=[f"{s}:{n}" for s, n in _short_names()])
def test_short_names_after_a_list_head(slug: str, short: str) -> None:
    found = gazetteer_for(LEXICON, "khanh-hoa").find(f"Các Sở: Nội vụ, {short} triển khai")
    assert [f.mention.type_slug for f in found] == ["so-noi-vu", slug]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Các Sở: Kế hoạch và Đầu tư, Tài nguyên và Môi trường, Y tế, Giáo dục và Đào tạo, Nông "
            "nghiệp và Phát triển nông thôn, Lao động – Thương binh và Xã hội, "
            "Văn hóa, Thể thao và Du lịch",
            [
                "so-ke-hoach-va-dau-tu",
                "so-tai-nguyen-va-moi-truong",
                "so-y-te",
                "so-giao-duc-va-dao-tao",
                "so-nong-nghiep-va-phat-trien-nong-thon",
                "so-lao-dong-thuong-binh-va-xa-hoi",
                "so-van-hoa-the-thao-va-du-lich",
            ],
        ),
        (
            "Sở Nội vụ, Sở Tư pháp, Tài chính, Tài nguyên và Môi trường và các cơ quan liên quan",
            [
                "so-noi-vu",
                "so-tu-phap",
                "so-tai-chinh",
                "so-tai-nguyen-va-moi-truong",
                "cac-co-quan-lien-quan",
            ],
        ),
        (
            "Văn phòng UBND tỉnh, các Sở: Công Thương, Tư pháp, TN&MT, VH-TT&DL",
            [
                "van-phong-ubnd-tinh",
                "so-cong-thuong",
                "so-tu-phap",
                "so-tai-nguyen-va-moi-truong",
                "so-van-hoa-the-thao-va-du-lich",
            ],
        ),
        (
            "Sở Lao động - Thương binh và Xã hội và Sở Thông tin và Truyền thông",
            ["so-lao-dong-thuong-binh-va-xa-hoi", "so-thong-tin-va-truyen-thong"],
        ),
        ("các sở, ngành, địa phương", ["cac-so-ban-nganh", "cac-dia-phuong"]),
        ("UBND cấp huyện và cấp xã", ["ubnd-cap-huyen", "ubnd-cap-xa"]),
        ("các cơ quan, địa phương liên quan", ["cac-co-quan-lien-quan", "cac-dia-phuong"]),
        ("Các sở, ban, ngàn UBND các huyện thành phố", ["cac-so-ban-nganh", "ubnd-cap-huyen"]),
        ("Chính phủ điện tử", []),
        ("Nghị quyết của Chính phủ", ["chinh-phu"]),
        ("so tu phap", ["so-tu-phap"]),
        ("SỞ TƯ PHÁP", ["so-tu-phap"]),
    ],
)
def test_lists_and_spellings(text: str, expected: list[str]) -> None:
    found = gazetteer_for(LEXICON, "khanh-hoa").find(text)
    assert [f.mention.type_slug for f in found] == expected


def test_named_districts_are_agencies_of_their_own() -> None:
    found = gazetteer_for(LEXICON, "khanh-hoa").find("UBND huyện Khánh Sơn, Khánh Vĩnh xây dựng")
    assert [(f.mention.type_slug, f.mention.name_slug) for f in found] == [
        ("ubnd-huyen", "ubnd-huyen-khanh-son"),
        ("ubnd-huyen", "ubnd-huyen-khanh-vinh"),
    ]


def test_province_names_make_local_aliases() -> None:
    assert (
        gazetteer_for(LEXICON, "cao-bang").find("Báo Cao Bằng")[0].mention.type_slug == "bao-tinh"
    )
    assert gazetteer_for(LEXICON, "khanh-hoa").find("Báo Cao Bằng") == []


def _roles(text: str) -> tuple[set[str], set[str], set[str]]:
    assignment = read_assignment(text, gazetteer_for(LEXICON, "khanh-hoa"))

    def names(ms: tuple[AgencyMention, ...]) -> set[str]:
        return {m.type_slug for m in ms}

    return names(assignment.lead), names(assignment.cooperating), names(assignment.participants)


@pytest.mark.parametrize(
    "text,lead,cooperating",
    [
        (
            "Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Sở Nội vụ, Sở Tư pháp tổng hợp",
            {"so-ke-hoach-va-dau-tu"},
            {"so-noi-vu", "so-tu-phap"},
        ),
        (
            "Sở Nội vụ phối hợp Sở Thông tin và Truyền thông xây dựng phương án trình UBND tỉnh.",
            {"so-noi-vu"},
            {"so-thong-tin-va-truyen-thong"},
        ),
        (
            "Sở Tài chính chủ trì tham mưu UBND tỉnh trình HĐND tỉnh; "
            "Các Sở, ban, ngành, UBND cấp huyện "
            "phối hợp.",
            {"so-tai-chinh"},
            {"cac-so-ban-nganh", "ubnd-cap-huyen"},
        ),
        (
            "Sở Nội vụ có văn bản đề nghị các Sở, ngành rà soát; "
            "chủ trì cùng Sở Khoa học và Công nghệ "
            "tổng hợp",
            {"so-noi-vu"},
            {"so-khoa-hoc-va-cong-nghe"},
        ),
        (
            "Giao Sở Công Thương chủ trì, phối hợp với các Sở, ban, ngành của tỉnh; UBND các xã,"
            " phường; các cơ quan, đơn vị có liên quan triển khai thực hiện Kế hoạch này.",
            {"so-cong-thuong"},
            {"cac-so-ban-nganh", "ubnd-cap-xa", "cac-co-quan-lien-quan"},
        ),
        (
            "Sở Công Thương thường xuyên phối hợp, cung cấp thông tin với các sở, ngành về hoạt "
            "động thu gom.",
            {"so-cong-thuong"},
            {"cac-so-ban-nganh"},
        ),
        ("Giao Sở Kế hoạch và Đầu tư làm đầu mối tổng hợp", {"so-ke-hoach-va-dau-tu"}, set()),
        ("Trên cơ sở Đề án nêu trên, Sở Tài chính chủ trì tham mưu", {"so-tai-chinh"}, set()),
        (
            "Các cơ quan, đơn vị xây dựng Đề án, gửi Sở Nội vụ thẩm định, trình UBND tỉnh.",
            {"cac-co-quan-don-vi"},
            set(),
        ),
    ],
)
def test_roles_from_wording(text: str, lead: set[str], cooperating: set[str]) -> None:
    found_lead, found_cooperating, _ = _roles(text)
    assert found_lead == lead
    assert found_cooperating == cooperating


def test_objects_have_no_role() -> None:
    lead, cooperating, participants = _roles("Sở Tư pháp thẩm định, trình UBND tỉnh, gửi Sở Nội vụ")
    assert lead == {"so-tu-phap"}
    assert "ubnd-tinh" not in lead | cooperating | participants
    assert "so-noi-vu" not in lead | cooperating | participants


def test_one_agency_per_province_and_type() -> None:
    registry = AgencyRegistry(LEXICON, Iris())
    first = registry.resolve(AgencyMention("Sở Tư pháp", "so-tu-phap", False), "khanh-hoa")
    again = registry.resolve(AgencyMention("SỞ TƯ PHÁP", "so-tu-phap", False), "khanh-hoa")
    other = registry.resolve(AgencyMention("Sở Tư pháp", "so-tu-phap", False), "cao-bang")
    government = registry.resolve(AgencyMention("Chính phủ", "chinh-phu", False), "khanh-hoa")
    assert first is again
    assert first.iri == "https://w3id.org/cchc/id/agency/khanh-hoa/so-tu-phap"
    assert first.label_vi == "Sở Tư pháp tỉnh Khánh Hòa"
    assert first.spellings == {"Sở Tư pháp", "SỞ TƯ PHÁP"}
    assert other.iri.endswith("/agency/cao-bang/so-tu-phap")
    assert government.iri.endswith("/agency/viet-nam/chinh-phu") and government.province is None


@pytest.mark.parametrize(
    "text,province,expected",
    [
        ("Ủy ban nhân dân các xã, phường", "dong-thap", ["ubnd-cap-xa"]),
        ("UBND các xã, phường, đặc khu", "khanh-hoa", ["ubnd-cap-xa"]),
        (
            "Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ",
            None,
            ["cac-bo-nganh", "co-quan-ngang-bo"],
        ),
        (
            "Chủ tịch Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
            None,
            ["ubnd-cac-tinh-thanh-pho"],
        ),
        ("Bộ KH&CN, Bộ GD&ĐT", None, ["bo-khoa-hoc-va-cong-nghe", "bo-giao-duc-va-dao-tao"]),
        ("Thuế Đồng Nai", "dong-nai", ["thue-tinh"]),
        (
            "Báo và Phát thanh, Truyền hình Đồng Nai",
            "dong-nai",
            ["bao-va-phat-thanh-truyen-hinh-tinh"],
        ),
        ("Ngân hàng nhà nước khu vực XII", "bac-ninh", ["ngan-hang-nha-nuoc-chi-nhanh-tinh"]),
    ],
)
def test_central_and_2025_names(text: str, province: str | None, expected: list[str]) -> None:
    found = gazetteer_for(LEXICON, province).find(text)
    assert [f.mention.type_slug for f in found] == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        # abbreviations no one wrote into the vocabulary: the initials of each part of the name
        ("Giao Sở NN&MT chủ trì", ["so-nong-nghiep-va-moi-truong"]),
        ("Sở NNMT, Sở DT&TG", ["so-nong-nghiep-va-moi-truong", "so-dan-toc-va-ton-giao"]),
        ("Sở GD và ĐT", ["so-giao-duc-va-dao-tao"]),
        ("Sở LĐTB&XH", ["so-lao-dong-thuong-binh-va-xa-hoi"]),
        ("Sở VHTT&DL", ["so-van-hoa-the-thao-va-du-lich"]),
        ("Bộ DT&TG", ["bo-dan-toc-va-ton-giao"]),
        ("các Sở: Nội vụ, NN&MT", ["so-noi-vu", "so-nong-nghiep-va-moi-truong"]),
        # central bodies and the provinces' bodies of 2025
        ("Viện Hàn lâm Khoa học xã hội Việt Nam", ["vien-han-lam-khoa-hoc-xa-hoi"]),
        ("Đại học Quốc gia TP. Hồ Chí Minh", ["dai-hoc-quoc-gia-tp-ho-chi-minh"]),
        ("Tổng Liên đoàn Lao động Việt Nam", ["tong-lien-doan-lao-dong-viet-nam"]),
        ("Bộ Chỉ huy Bộ đội Biên phòng tỉnh", ["bo-chi-huy-bien-phong-tinh"]),
        ("Ban Tuyên giáo và Dân vận Tỉnh ủy", ["ban-tuyen-giao-va-dan-van-tinh-uy"]),
        ("Kho bạc Nhà nước khu vực XIV", ["kho-bac-nha-nuoc-khu-vuc"]),
    ],
)
def test_abbreviations_and_bodies_of_every_level(text: str, expected: list[str]) -> None:
    found = gazetteer_for(LEXICON, "khanh-hoa").find(text)
    assert [f.mention.type_slug for f in found] == expected


def test_a_centrally_run_city_calls_its_provincial_level_thanh_pho() -> None:
    city = gazetteer_for(LEXICON, "can-tho")
    assert [f.mention.type_slug for f in city.find("Công an thành phố")] == ["cong-an-tinh"]
    assert [f.mention.type_slug for f in city.find("Ủy ban nhân dân thành phố")] == ["ubnd-tinh"]
    # in a province, "Công an thành phố" is a town's police, not the province's
    province = gazetteer_for(LEXICON, "khanh-hoa")
    assert [f.mention.type_slug for f in province.find("Công an thành phố")] == []


def test_a_body_the_vocabulary_does_not_hold_is_kept_as_written() -> None:
    gazetteer = gazetteer_for(LEXICON, None)
    found = column_mentions("Bộ Tài chính, Tập đoàn Hóa chất Việt Nam", gazetteer)
    assert [(m.type_slug, m.text) for m in found] == [
        ("bo-tai-chinh", "Bộ Tài chính"),
        ("co-quan-khac", "Tập đoàn Hóa chất Việt Nam"),
    ]
    group = column_mentions("Các đơn vị cấp nước sạch trên địa bàn thành phố", gazetteer)
    assert [(m.type_slug, m.is_group) for m in group] == [("nhom-co-quan-khac", True)]
    kinds = unresolved_body("Doanh nghiệp, tổ chức, cơ sở giáo dục tự chủ tài chính")
    assert kinds is not None and (kinds.type_slug, kinds.is_group) == ("nhom-co-quan-khac", True)
    # words that open a sentence, not a name: no body
    assert unresolved_body("Tổ chức, bộ máy") is None
    assert column_mentions("Bảo đảm kinh phí từ nguồn ngân sách", gazetteer) == ()
    assert column_mentions("Tổ chức thực hiện", gazetteer) == ()
    registry = AgencyRegistry(LEXICON, Iris())
    agency = registry.resolve(found[1], "khanh-hoa")
    assert agency.label_vi == "Tập đoàn Hóa chất Việt Nam"  # no province added to its name
    assert agency.iri.endswith("/agency/khanh-hoa/tap-doan-hoa-chat-viet-nam")


def test_a_named_provinces_committee_is_that_provinces() -> None:
    national = gazetteer_for(LEXICON, None)
    found = national.find("Ủy ban nhân dân TP. Hà Nội, UBND tỉnh Cao Bằng")
    assert [(f.mention.type_slug, f.mention.province) for f in found] == [
        ("ubnd-tinh", "ha-noi"),
        ("ubnd-tinh", "cao-bang"),
    ]
    listed = national.find("Ủy ban nhân dân các thành phố: Hà Nội, Cần Thơ thực hiện")
    assert [f.mention.province for f in listed] == ["ha-noi", "can-tho"]
    registry = AgencyRegistry(LEXICON, Iris())
    hanoi = registry.resolve(found[0].mention, None, national_document=True)
    assert hanoi.iri.endswith("/agency/ha-noi/ubnd-tinh")
    assert hanoi.label_vi == "Ủy ban nhân dân thành phố Hà Nội"
    # a town is a district-level city; the document's own province is found by its aliases
    town = gazetteer_for(LEXICON, "khanh-hoa").find("UBND thành phố Nha Trang")
    assert [(f.mention.type_slug, f.mention.province) for f in town] == [("ubnd-huyen", None)]
    own = gazetteer_for(LEXICON, "can-tho").find("UBND thành phố Cần Thơ")
    assert [(f.mention.type_slug, f.mention.province) for f in own] == [("ubnd-tinh", None)]


@pytest.mark.parametrize(
    "cell,expected",
    [
        # a ministry's plan gives work to its own units, which no vocabulary lists
        ("Vụ Pháp chế", ["Vụ Pháp chế"]),
        ("Vụ Tổ chức cán bộ; Văn phòng Bộ", ["Vụ Tổ chức cán bộ", "Văn phòng Bộ"]),
        ("Cục Công nghệ thông tin, Thanh tra Bộ", ["Cục Công nghệ thông tin", "Thanh tra Bộ"]),
        ("Học viện Hành chính Quốc gia", ["Học viện Hành chính Quốc gia"]),
        ("Đại học Huế", ["Đại học Huế"]),
    ],
)
def test_units_no_vocabulary_lists_are_kept_as_written(cell: str, expected: list[str]) -> None:
    found = column_mentions(cell, gazetteer_for(LEXICON, None))
    assert [m.text for m in found] == expected
    assert all(m.type_slug == "co-quan-khac" for m in found)


def test_a_unit_the_vocabulary_lacks_leads_what_it_is_the_subject_of() -> None:
    text = (
        "Vụ Pháp chế chủ trì, phối hợp với Văn phòng Bộ và Cục Công nghệ thông tin xây dựng "
        "quy chế."
    )
    assignment = read_assignment(text, gazetteer_for(LEXICON, None))
    assert [m.text for m in assignment.lead] == ["Vụ Pháp chế"]
    assert [m.text for m in assignment.cooperating] == ["Văn phòng Bộ", "Cục Công nghệ thông tin"]


def test_a_national_body_is_not_read_inside_a_longer_name() -> None:
    found = gazetteer_for(LEXICON, None).find("Tổng cục Thuế")
    assert [f.mention.type_slug for f in found] == ["tong-cuc-thue"]
