"""docx_front and doc_front: real Word files (tests/data/formats/, see SOURCES.md there), and
small packages written here for what those files never use (Word's own numbering, content
controls, nested tables, text boxes, footnotes).

Every expected value was read from the file, not from the reader: the XML of the .docx files
through `unzip -p FILE word/document.xml`, the .doc files through `antiword -m UTF-8.txt`. The
numbering package's markers were checked against LibreOffice's own rendering of it as text.
"""

from __future__ import annotations

import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest

from cchc_graph.errors import SourceError
from cchc_graph.ingest import doc_front, docx_front
from cchc_graph.ingest.model import Block, Cell, Document, Kind, Location

FORMATS = Path(__file__).parent / "data" / "formats"
PLAN = FORMATS / "docx" / "lamdong_kh_cchc_2026_2030.docx"
COMMUNICATION = FORMATS / "docx" / "lamdong_kh_tuyentruyen_cchc_2026.docx"
DECISION = FORMATS / "docx" / "lamdong_qd_congbo_chiso_cchc_2025.docx"
EMULATION = FORMATS / "doc" / "lamdong_kh_thidua_cchc_2026.doc"
LETTER = FORMATS / "doc" / "lamdong_cv_giao_danhgia_cchc_congan_2025.doc"
ANNEX_NAMED_DOC = FORMATS / "doc" / "lamdong_pl1_chiso_cchc_2025_ooxml_named_doc.doc"


@pytest.fixture(scope="module")
def plan() -> Document:
    return docx_front.read(PLAN)


@pytest.fixture(scope="module")
def libreoffice() -> None:
    # the tests run where the product runs: .ci/run installs LibreOffice; no skipping
    assert shutil.which("soffice"), "install the Debian package libreoffice-writer-nogui"


@pytest.fixture(scope="module")
def converted(libreoffice: None) -> dict[str, Document]:
    """The two OLE2 .doc files, converted by LibreOffice once for the module (seconds each)."""
    return {path.name: doc_front.read(path) for path in (EMULATION, LETTER)}


def tables(document: Document) -> list[Block]:
    return [block for block in document.blocks if block.kind is Kind.TABLE]


def paragraph(document: Document, number: int) -> Block:
    return next(b for b in document.blocks if b.location == Location(paragraph=number))


def cell(table: Block, row: int, number: int) -> Cell:
    return table.rows[row - 1].cells[number - 1]


def texts(document: Document) -> list[str]:
    return [block.text for block in document.blocks if block.kind is not Kind.TABLE]


# --- the 2026-2030 plan: its task table -------------------------------------------------------


def test_plan_has_letterhead_signature_and_task_table(plan: Document) -> None:
    letterhead, signature, task_table = tables(plan)
    assert [letterhead.layout, signature.layout, task_table.layout] == [True, True, False]
    assert cell(letterhead, 1, 2).lines == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    )
    assert cell(signature, 1, 2).lines[:2] == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert cell(signature, 1, 1).lines[0] == "Nơi nhận:"


def test_task_table_is_67_rows_of_7_columns(plan: Document) -> None:
    task_table = tables(plan)[2]
    assert task_table.location == Location(table=3)
    assert len(task_table.rows) == 67
    assert {sum(c.col_span for c in row.cells) for row in task_table.rows} == {7}
    assert [c.text for c in task_table.rows[0].cells] == [
        "STT",
        "Nhiệm vụ",
        "Sản phẩm",
        "Thời gian hoàn thành",
        "Chủ trì thực hiện",
        "Phối hợp thực hiện",
        "Theo dõi, kiểm tra, đôn đốc",
    ]
    # 7 sections (I-VII) holding 56 numbered tasks; 3 tasks span two rows (vMerge), 4 cells
    # span two columns
    firsts = [row.cells[0] for row in task_table.rows[1:]]
    assert [c.text for c in firsts if c.text.isalpha()] == [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
    ]
    assert sum(1 for c in firsts if c.text.isdigit() and not c.continued) == 56
    every_cell = [c for row in task_table.rows for c in row.cells]
    assert sum(c.continued for c in every_cell) == 6
    assert sum(c.col_span == 2 for c in every_cell) == 4


TASK_ROWS = {
    3: (
        "1",
        "Thực hiện việc đăng tải, cập nhật văn bản quy phạm pháp luật của Hội đồng nhân dân và"
        " Ủy ban nhân dân tỉnh trên cơ sở dữ liệu quốc gia về pháp luật ngay khi văn bản được"
        " thông qua/ban hành.",
        "Văn bản quy phạm pháp luật của Hội đồng nhân dân tỉnh thông qua và Ủy ban nhân dân tỉnh"
        " ban hành được thể hiện trên hệ thống Cơ sở dữ liệu quốc gia về văn bản pháp luật",
        "Theo Điều 17 Nghị định số 52/2015/NĐ-CP ngày 28/5/2015 của Chính phủ cơ sở dữ liệu"
        " quốc gia về pháp luật",
        "Sở Tư pháp",
        "",
        "Sở Tư pháp",
    ),
    45: (
        "7",
        "Hoàn thành và đưa Trung tâm IOC vào hoạt động",
        "Trung tâm IOC đi vào hoạt động",
        "Trong quý I năm 2026",
        "Văn phòng UBND tỉnh (Trung tâm Thông tin)",
        "Sở Khoa học và Công nghệ",
        "Sở Khoa học và Công nghệ",
    ),
    54: (  # the second row of task VII.2: number and task merged down from row 53
        "2",
        "Tham mưu ban hành Kế hoạch kiểm tra công tác cải cách hành chính trên địa bàn tỉnh"
        " hằng năm",
        "Kế hoạch tự kiểm tra cải cách hành chính hằng năm của cơ quan, đơn vị, địa phương",
        "Ban hành kế hoạch trong tháng 01 hằng năm; tổ chức kiểm tra chậm nhất trong tháng 6"
        " hằng năm và báo cáo kết quả khắc phục các tồn tại, hạn chế phát hiện qua kiểm tra chậm"
        " nhất trong tháng 8 hằng năm",
        "Các cơ quan, đơn vị, địa phương",
        "",
        "Sở Nội vụ",
    ),
    59: (  # the second row of task VII.5, merged down from row 58
        "5",
        "Tham mưu Ủy ban nhân dân tỉnh đánh giá, công bố chỉ số cải cách hành chính hằng tháng"
        " của các sở, ngành và của Ủy ban nhân dân các xã, phường, đặc khu trên địa bàn tỉnh",
        "Kết quả công bố chỉ số cải cách hành chính hằng tháng của các sở, ngành và của Ủy ban"
        " nhân dân các xã, phường, đặc khu trên địa bàn tỉnh",
        "Trước ngày 05 của tháng liền kề",
        "Sở Nội vụ",
        "Văn phòng UBND tỉnh; Sở Tư pháp; Sở Tài chính; Sở Khoa học và Công nghệ.",
        "Sở Nội vụ",
    ),
}


@pytest.mark.parametrize("row", sorted(TASK_ROWS), ids=[f"row{n}" for n in sorted(TASK_ROWS)])
def test_task_row_cells(plan: Document, row: int) -> None:
    task_table = tables(plan)[2]
    assert [c.text for c in task_table.rows[row - 1].cells] == list(TASK_ROWS[row])
    assert task_table.rows[row - 1].location == Location(table=3, row=row)
    assert cell(task_table, row, 4).location == Location(table=3, row=row, cell=4)


@pytest.mark.parametrize(("first", "second"), [(53, 54), (58, 59)], ids=["VII.2", "VII.5"])
def test_merged_task_repeats_in_the_row_below(plan: Document, first: int, second: int) -> None:
    task_table = tables(plan)[2]
    for number in (1, 2):
        start, below = cell(task_table, first, number), cell(task_table, second, number)
        assert not start.continued
        assert below.continued
        assert below.lines == start.lines
    assert not cell(task_table, second, 3).continued


def test_cell_spanning_two_columns(plan: Document) -> None:
    row = tables(plan)[2].rows[11]  # task II.5: lead and cooperating agencies in one cell
    assert [c.col_span for c in row.cells] == [1, 1, 1, 1, 2, 1]
    assert row.cells[4].text == (
        "Theo phân công tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh"
    )
    assert row.cells[5].text == "Văn phòng UBND tỉnh"


def test_plan_body_paragraphs(plan: Document) -> None:
    # the body's w:p counted from the first, the empty paragraph 3 included
    assert paragraph(plan, 1).text == "KẾ HOẠCH"
    assert paragraph(plan, 1).kind is Kind.HEADING
    assert paragraph(plan, 2).text == (
        "Cải cách hành chính nhà nước giai đoạn 2026 - 2030 của tỉnh Lâm Đồng"
    )
    assert not any(b.location == Location(paragraph=3) for b in plan.blocks)
    assert paragraph(plan, 4).text.startswith("Căn cứ Nghị quyết số 76/NQ-CP ngày 15/7/2021")
    # every run of "I. QUAN ĐIỂM, MỤC TIÊU, YÊU CẦU" is bold: a title; "1. Quan điểm" is bold
    # but not in capitals: a paragraph
    assert (paragraph(plan, 8).kind, paragraph(plan, 8).text) == (
        Kind.HEADING,
        "I. QUAN ĐIỂM, MỤC TIÊU, YÊU CẦU",
    )
    assert (paragraph(plan, 9).kind, paragraph(plan, 9).text) == (Kind.PARAGRAPH, "1. Quan điểm")
    assert paragraph(plan, 131).text == "III. TỔ CHỨC THỰC HIỆN"
    assert paragraph(plan, 145).text == (
        "PHÂN CÔNG THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2026 - 2030"
    )


@pytest.mark.parametrize("path", [PLAN, COMMUNICATION, DECISION], ids=lambda p: p.stem)
def test_real_files_type_their_numbers(path: Path) -> None:
    # none of these files uses Word's numbering (no w:numPr in document.xml or a used style):
    # "I.", "1.", "a)" and "-" are typed, so the text keeps them and no marker is added
    document = docx_front.read(path)
    assert {(b.marker, b.kind is Kind.LIST_ITEM) for b in document.blocks} == {("", False)}
    assert document.notes == ()  # footnotes.xml holds only the separator notes


# --- the communication plan and the decision --------------------------------------------------


def test_communication_plan_schedule_tables() -> None:
    document = docx_front.read(COMMUNICATION)
    letterhead, provincial, local, signature = tables(document)
    assert [len(provincial.rows), len(local.rows)] == [12, 11]
    for schedule in (provincial, local):
        assert {len(row.cells) for row in schedule.rows} == {4}
        assert not schedule.layout
        assert [c.lines for c in schedule.rows[0].cells] == [
            ("TT",),
            ("Nội dung",),
            ("Trách nhiệm", "thực hiện"),
            ("Thời gian", "(Năm 2026)"),
        ]
    assert [c.text for c in provincial.rows[4].cells[2:]] == [
        "Lãnh đạo Sở Y tế",
        "Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 08 tháng 5",
    ]
    assert cell(provincial, 3, 3).lines == ("Lãnh đạo", "Sở Giáo dục và Đào tạo")
    assert [c.text for c in local.rows[10].cells[2:]] == [
        "Lãnh đạo UBND xã Hòa Ninh",
        "Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 25 tháng 12",
    ]
    assert len(letterhead.rows) == 3
    assert letterhead.layout and signature.layout
    assert cell(signature, 1, 2).lines == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Ngọc Phúc")
    heading = paragraph(document, 4)  # style Heading1
    assert (heading.kind, heading.text) == (
        Kind.HEADING,
        "Tuyên truyền Cải cách hành chính năm 2026",
    )


def test_decision_ranking_tables() -> None:
    document = docx_front.read(DECISION)
    shapes = [
        (len(t.rows), {sum(c.col_span for c in r.cells) for r in t.rows}) for t in tables(document)
    ]
    assert shapes == [(2, {2}), (1, {2}), (18, {6}), (2, {6}), (128, {6})]
    assert [t.layout for t in tables(document)] == [True, True, False, False, False]
    communes = tables(document)[4]
    assert [c.text for c in communes.rows[1].cells] == [
        "1",
        "UBND xã Tuyên Quang",
        "99,00",
        "88,09",
        "88,98%",
        "TỐT",
    ]
    summary = communes.rows[125]
    assert [(c.text, c.col_span) for c in summary.cells] == [
        ("Chỉ số cao nhất", 4),
        ("88,98%", 1),
        ("", 1),
    ]
    # "Điều 1.\u00a0Công bố": the non-breaking space is a space
    assert paragraph(document, 13).text.startswith("Điều 1. Công bố kết quả đánh giá, xếp loại")


def test_ooxml_named_doc_is_read_as_docx() -> None:
    document = docx_front.read(ANNEX_NAMED_DOC)
    assert (document.name, document.format) == (ANNEX_NAMED_DOC.name, "docx")
    assert [len(t.rows) for t in tables(document)] == [18, 2]
    assert [c.text for c in tables(document)[0].rows[1].cells] == [
        "1",
        "Sở Tư pháp",
        "89,00",
        "82,78",
        "93,01%",
        "TỐT",
    ]
    # and doc_front, given it, reads it by its bytes without LibreOffice
    assert doc_front.read(ANNEX_NAMED_DOC).format == "docx"


# --- Word 97-2003 files through LibreOffice ---------------------------------------------------


def test_emulation_plan_doc(converted: dict[str, Document]) -> None:
    document = converted[EMULATION.name]
    assert (document.format, document.name) == ("doc", EMULATION.name)
    assert document.reader.startswith("LibreOffice ")
    sections = [t for t in texts(document) if t.split(" ")[0] in ("I.", "II.", "III.", "IV.")]
    assert sections == [
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. PHẠM VI, ĐỐI TƯỢNG VÀ NỘI DUNG THI ĐUA",
        "III. CHỈ TIÊU THI ĐUA PHẤN ĐẤU NĂM 2026",
        "IV. THỜI GIAN THI ĐUA VÀ TIẾN ĐỘ THỰC HIỆN",
    ]
    assert "a) Tập thể:" in texts(document)
    # antiword shows footnote [1] after "Lâm Đồng"; the note is left out, its marker too
    assert (
        "Căn cứ Quyết định số 58/QĐ-UBND ngày 08/01/2026 của Ủy ban nhân dân tỉnh Lâm Đồng về"
        " việc áp dụng Quyết định quy định công tác thi đua, khen thưởng trên địa bàn tỉnh Lâm"
        " Đồng;"
    ) in texts(document)
    assert document.notes == ("1 footnote not read into the body",)
    assert not any("Thống nhất áp dụng Quyết định số 01/2025" in t for t in texts(document))
    assert [t.layout for t in tables(document)] == [True, True]


def test_letter_doc(converted: dict[str, Document]) -> None:
    document = converted[LETTER.name]
    lines = texts(document)
    start = lines.index("Kính gửi:")
    assert lines[start + 1 : start + 5] == [
        "- Văn phòng Ủy ban nhân dân tỉnh;",
        "- Sở Nội vụ;",
        "- Sở Tư pháp;",
        "- UBND các xã, phường, đặc khu.",
    ]
    assert lines[start + 6] == (
        "Chủ tịch Ủy ban nhân dân tỉnh giao Văn phòng Ủy ban nhân dân tỉnh, Sở Nội vụ, Sở Tư pháp"
        " và UBND các xã, phường, đặc khu nghiên cứu, triển khai thực hiện theo hướng dẫn tại"
        " Công văn số 3749/BCA-V03 của Bộ Công an đúng thời gian quy định./."
    )
    letterhead, signature = tables(document)
    assert letterhead.layout and signature.layout
    assert cell(signature, 1, 2).lines[:2] == ("TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG")
    assert cell(signature, 1, 2).lines[-1] == "Nguyễn Nhân Bản"


def test_doc_without_libreoffice_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no soffice on the PATH
    with pytest.raises(SourceError) as raised:
        doc_front.read(LETTER)
    assert raised.value.path == LETTER
    assert "install the Debian package libreoffice-writer-nogui" in raised.value.message


def test_damaged_doc_names_what_libreoffice_said(tmp_path: Path, libreoffice: None) -> None:
    damaged = tmp_path / "damaged.doc"
    damaged.write_bytes(LETTER.read_bytes()[:512] + bytes(40000))  # the OLE2 header, then zeros
    with pytest.raises(SourceError) as raised:
        doc_front.read(damaged)
    assert raised.value.path == damaged
    assert raised.value.message == (
        "LibreOffice could not convert it to .docx: Error: source file could not be loaded"
    )


# --- files that are not Word documents --------------------------------------------------------


def test_not_word_files(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.docx"
    garbage.write_bytes(bytes(range(256)) * 8)
    truncated = tmp_path / "truncated.docx"
    truncated.write_bytes(PLAN.read_bytes()[:30000])
    archive = tmp_path / "archive.docx"
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("readme.txt", "không phải văn bản Word")
    broken = _package(tmp_path, "<w:p><w:r><w:t>mở mà không đóng</w:r></w:p>")
    expected = {
        garbage: "not a ZIP package",
        truncated: "damaged ZIP package",
        archive: "without a Word document part (word/document.xml)",
        broken: "word/document.xml is not well-formed XML",
        LETTER: "a Word 97-2003 file (OLE2), not OOXML",
    }
    for path, said in expected.items():
        with pytest.raises(SourceError) as raised:
            docx_front.read(path)
        assert raised.value.path == path
        assert said in raised.value.message, path.name
    with pytest.raises(SourceError, match="no OLE2 signature"):
        doc_front.read(garbage)


# --- what the real files do not show: packages written here ----------------------------------

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_MC = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _package(
    folder: Path, body: str, numbering: str = "", styles: str = "", footnotes: str = ""
) -> Path:
    """A minimal Word package: `body` inside w:body, and the optional parts as their contents."""
    parts = {"numbering": numbering, "styles": styles, "footnotes": footnotes}
    relations = "".join(
        f'<Relationship Id="r{kind}" Type="{_RELS}/{kind}" Target="{kind}.xml"/>'
        for kind, content in parts.items()
        if content
    )
    rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    path = folder / "made.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(
            "_rels/.rels",
            f'{rels}<Relationship Id="r1" Type="{_RELS}/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        package.writestr("word/_rels/document.xml.rels", f"{rels}{relations}</Relationships>")
        package.writestr(
            "word/document.xml", f"<w:document {_W} {_MC}><w:body>{body}</w:body></w:document>"
        )
        tags = {"numbering": "numbering", "styles": "styles", "footnotes": "footnotes"}
        for kind, content in parts.items():
            if content:
                package.writestr(
                    f"word/{kind}.xml", f"<w:{tags[kind]} {_W}>{content}</w:{tags[kind]}>"
                )
    return path


def _p(text: str, num: int | None = None, level: int | None = None, style: str = "") -> str:
    properties = f'<w:pStyle w:val="{style}"/>' if style else ""
    if num is not None:
        ilvl = "" if level is None else f'<w:ilvl w:val="{level}"/>'
        properties += f'<w:numPr>{ilvl}<w:numId w:val="{num}"/></w:numPr>'
    return (
        f'<w:p><w:pPr>{properties}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
    )


def _lvl(level: int, number_format: str, text: str, start: int = 1) -> str:
    return (
        f'<w:lvl w:ilvl="{level}"><w:start w:val="{start}"/><w:numFmt w:val="{number_format}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


# abstract 0: I. / 1. / a) / - ; abstract 1 (tied to the style "Muc"): 3. then 3.1.
NUMBERING = (
    f'<w:abstractNum w:abstractNumId="0">{_lvl(0, "upperRoman", "%1.")}{_lvl(1, "decimal", "%2.")}'
    f"{_lvl(2, 'lowerLetter', '%3)')}{_lvl(3, 'bullet', '-')}</w:abstractNum>"
    f'<w:abstractNum w:abstractNumId="1">{_lvl(0, "decimal", "%1.", start=3)}'
    f"{_lvl(1, 'decimal', '%1.%2.')}</w:abstractNum>"
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
    '<w:num w:numId="2"><w:abstractNumId w:val="0"/>'
    '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
    '<w:num w:numId="3"><w:abstractNumId w:val="1"/></w:num>'
)
STYLES = (
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
    '</w:style><w:style w:type="paragraph" w:styleId="Muc"><w:name w:val="Muc"/>'
    '<w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>'
)


def test_word_numbering_is_written_out(tmp_path: Path) -> None:
    body = "".join(
        [
            _p("Mục đích", 1, 0),
            _p("Quan điểm", 1, 1),
            _p("Yêu cầu thứ nhất", 1, 2),
            _p("Yêu cầu thứ hai", 1, 2),
            _p("gạch đầu dòng", 1, 3),
            _p("Mục tiêu", 1, 1),  # level 1 advances: level 2 starts again at a)
            _p("Yêu cầu mới", 1, 2),
            _p("", 1, 0),  # an empty numbered paragraph: not a block, but Word counts it (II.)
            _p("Cải cách thể chế", 1, 1),
            _p("Tổ chức thực hiện", 2, 0),  # numId 2 restarts abstract 0 at V.
            _p("Kinh phí", 1, 0),  # numId 1 shares abstract 0: the list goes on, VI.
            _p("Điều khoản", style="Muc"),  # numbered by its style, from 3
            _p("Điều tiếp", style="Muc"),
            _p("Chi tiết", 3, 1),
            _p("5. Đã gõ số", 3, 0),  # the number typed as well: Word's is not repeated
        ]
    )
    document = docx_front.read(_package(tmp_path, body, NUMBERING, STYLES))
    assert [(b.location.paragraph, b.marker, b.level, b.text) for b in document.blocks] == [
        (1, "I.", 0, "Mục đích"),
        (2, "1.", 1, "Quan điểm"),
        (3, "a)", 2, "Yêu cầu thứ nhất"),
        (4, "b)", 2, "Yêu cầu thứ hai"),
        (5, "-", 3, "gạch đầu dòng"),
        (6, "2.", 1, "Mục tiêu"),
        (7, "a)", 2, "Yêu cầu mới"),
        (9, "1.", 1, "Cải cách thể chế"),
        (10, "V.", 0, "Tổ chức thực hiện"),
        (11, "VI.", 0, "Kinh phí"),
        (12, "3.", 0, "Điều khoản"),
        (13, "4.", 0, "Điều tiếp"),
        (14, "4.1.", 1, "Chi tiết"),
        (15, "", 0, "5. Đã gõ số"),
    ]
    assert {b.kind for b in document.blocks} == {Kind.LIST_ITEM}


def test_tables_python_docx_would_hide(tmp_path: Path) -> None:
    def tc(inner: str, properties: str = "") -> str:
        return f"<w:tc><w:tcPr>{properties}</w:tcPr>{inner}</w:tc>"

    span, restart, below = '<w:gridSpan w:val="2"/>', '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    nested = (
        f"<w:tbl><w:tr>{tc(_p('Sở Nội vụ'))}</w:tr><w:tr>{tc(_p('Sở Tài chính'))}</w:tr></w:tbl>"
    )
    body = (
        "<w:tbl><w:tblPr><w:tblBorders><w:top w:val='single'/></w:tblBorders></w:tblPr>"
        f"<w:tr>{tc(_p('STT'))}{tc(_p('Nhiệm vụ'))}{tc(_p('Cơ quan'), span)}</w:tr>"
        # a row inside a content control (w:sdt): python-docx's table.rows does not see it
        "<w:sdt><w:sdtPr/><w:sdtContent><w:tr>"
        f"{tc(_p('1'), restart)}"
        f"{tc('<w:p><w:r><w:t>Rà soát</w:t><w:br/><w:t>thủ tục</w:t></w:r></w:p>')}"
        f"{tc(_p('Sở Tư pháp'))}{tc(nested)}"
        "</w:tr></w:sdtContent></w:sdt>"
        f"<w:tr>{tc(_p(''), below)}{tc(_p('Báo cáo', 1, 3))}"
        f"<w:sdt><w:sdtContent>{tc(_p('Văn phòng'))}</w:sdtContent></w:sdt>{tc(_p(''))}</w:tr>"
        "</w:tbl>"
    )
    document = docx_front.read(_package(tmp_path, body, NUMBERING))
    (table,) = document.blocks
    assert not table.layout
    assert [[(c.lines, c.col_span, c.continued) for c in row.cells] for row in table.rows] == [
        [(("STT",), 1, False), (("Nhiệm vụ",), 1, False), (("Cơ quan",), 2, False)],
        [
            (("1",), 1, False),
            (("Rà soát", "thủ tục"), 1, False),  # a line break in a cell is a new line
            (("Sở Tư pháp",), 1, False),
            (("Sở Nội vụ", "Sở Tài chính"), 1, False),  # the nested table, row by row
        ],
        [(("1",), 1, True), (("- Báo cáo",), 1, False), (("Văn phòng",), 1, False), ((), 1, False)],
    ]
    assert table.rows[2].cells[2].location == Location(table=1, row=3, cell=3)


def test_paragraph_text_as_word_shows_it(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Sở Tư pháp")  # Word keeps whatever form was typed
    text_box = (
        "<w:r><mc:AlternateContent><mc:Choice Requires='wps'><w:drawing><w:txbxContent>"
        "<w:p><w:r><w:t>DỰ THẢO</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice>"
        "<mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>DỰ THẢO</w:t></w:r></w:p>"
        "</w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    body = (
        "<w:p><w:r><w:t>Điều 1.</w:t><w:tab/><w:t>Phạm\u00a0vi</w:t><w:br/><w:t>áp dụng</w:t>"
        "</w:r></w:p>"
        f"<w:p><w:r><w:t>{nfd} chủ trì</w:t></w:r></w:p>"
        "<w:p><w:del><w:r><w:delText>cũ </w:delText></w:r></w:del><w:ins><w:r><w:t>mới</w:t></w:r>"
        "</w:ins><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t> trang</w:t></w:r>"
        "<w:r><w:rPr><w:vanish/></w:rPr><w:t> ẩn</w:t></w:r></w:p>"
        f"<w:p>{text_box}</w:p>"
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>QUYẾT ĐỊNH:</w:t></w:r></w:p>"
        "<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>QUYẾT </w:t></w:r><w:r><w:t>ĐỊNH</w:t></w:r></w:p>"
        "<w:p><w:r><w:t>   </w:t></w:r></w:p>"
    )
    footnotes = (
        '<w:footnote w:type="separator" w:id="-1"/><w:footnote w:type="continuationSeparator"'
        ' w:id="0"/>'
        + "".join(f'<w:footnote w:id="{n}">{_p(f"Chú thích {n}")}</w:footnote>' for n in (1, 2, 3))
    )
    document = docx_front.read(_package(tmp_path, body, footnotes=footnotes))
    assert [(b.location.paragraph, b.kind, b.text) for b in document.blocks] == [
        (1, Kind.PARAGRAPH, "Điều 1. Phạm vi áp dụng"),
        (2, Kind.PARAGRAPH, "Sở Tư pháp chủ trì"),
        (3, Kind.PARAGRAPH, "mới trang"),
        (4, Kind.PARAGRAPH, "DỰ THẢO"),  # once, not again from the fallback copy
        (5, Kind.HEADING, "QUYẾT ĐỊNH:"),
        (6, Kind.PARAGRAPH, "QUYẾT ĐỊNH"),  # half bold: not a title
    ]
    assert document.notes == ("3 footnotes not read into the body",)
    assert (document.format, document.reader) == ("docx", docx_front.READER)


TABLE_GRID = (
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr>'
    '<w:tblBorders><w:insideH w:val="single"/><w:insideV w:val="single"/></w:tblBorders>'
    "</w:tblPr></w:style>"
)


@pytest.mark.parametrize(
    ("properties", "styles", "layout"),
    [
        ("", "", True),
        ('<w:tblBorders><w:top w:val="nil"/><w:insideH w:val="none"/></w:tblBorders>', "", True),
        ('<w:tblBorders><w:insideH w:val="single"/></w:tblBorders>', "", False),
        ('<w:tblStyle w:val="TableGrid"/>', TABLE_GRID, False),
    ],
    ids=["no-borders", "borders-off", "borders-drawn", "borders-from-style"],
)
def test_a_layout_table_is_drawn_without_borders(
    tmp_path: Path, properties: str, styles: str, layout: bool
) -> None:
    def row(*texts: str) -> str:
        return "<w:tr>" + "".join(f"<w:tc>{_p(text)}</w:tc>" for text in texts) + "</w:tr>"

    body = f"<w:tbl><w:tblPr>{properties}</w:tblPr>{row('Nơi nhận:', 'KT. CHỦ TỊCH')}</w:tbl>"
    (table,) = docx_front.read(_package(tmp_path, body, styles=styles)).blocks
    assert table.layout is layout
