"""pdf_front: real PDFs (tests/data/formats/pdf_text, pdf_scanned; see SOURCES.md there), and a
few files written here for what those never are (encrypted, damaged, not a PDF).

Every expected value was read from the document, not from the reader: the pages rendered with
`pdftoppm` and looked at, the exact characters of the text layers from `pdftotext -layout`. The
scans were read from their images at 200-240 dpi. Each document is read once per module: the
35-page report takes ~15 s, each scan ~2-3 s a page of OCR on two shared cores.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cchc_graph.errors import SourceError
from cchc_graph.ingest import pdf_front
from cchc_graph.ingest.model import Block, Document, Kind, Row

FORMATS = Path(__file__).parent / "data" / "formats"
REPORT = FORMATS / "pdf_text" / "lamdong_bc329_cchc_2025.pdf"
INDEX_ANNEX = FORMATS / "pdf_text" / "lamdong_pl7_chinhquyenso_chiso_cchc_2025.pdf"
COMMENTS = FORMATS / "pdf_text" / "lamdong_tonghop_gopy_kh_cchc_2026.pdf"
POLICE_SCAN = FORMATS / "pdf_scanned" / "bca_c04_cv3980_2025_scan.pdf"
JUSTICE_SCAN = FORMATS / "pdf_scanned" / "lamdong_stp_ttr62_2025_scan.pdf"


@pytest.fixture(scope="module")
def report() -> Document:
    return pdf_front.read(REPORT)


@pytest.fixture(scope="module")
def index_annex() -> Document:
    return pdf_front.read(INDEX_ANNEX)


@pytest.fixture(scope="module")
def comments() -> Document:
    return pdf_front.read(COMMENTS)


@pytest.fixture(scope="module")
def police_scan() -> Document:
    return pdf_front.read(POLICE_SCAN)


@pytest.fixture(scope="module")
def justice_scan() -> Document:
    return pdf_front.read(JUSTICE_SCAN)


def body(document: Document) -> list[Block]:
    return [block for block in document.blocks if block.kind is not Kind.TABLE]


def every_text(document: Document) -> list[str]:
    """The text of every block and of every cell line."""
    found = [block.text for block in body(document)]
    for table in tables(document, layout=None):
        found += [line for row in table.rows for cell in row.cells for line in cell.lines]
    return found


def tables(document: Document, layout: bool | None = False) -> list[Block]:
    return [
        block
        for block in document.blocks
        if block.kind is Kind.TABLE and (layout is None or block.layout == layout)
    ]


def table_after(document: Document, title: str) -> Block:
    """The first table after the block whose text is `title`."""
    start = next(n for n, block in enumerate(document.blocks) if block.text == title)
    return next(b for b in document.blocks[start:] if b.kind is Kind.TABLE)


def row(table: Block, number: str) -> Row:
    """The row whose first cell reads `number` ("2.1.", "124")."""
    return next(r for r in table.rows if r.cells[0].text == number)


def values(table_row: Row) -> list[str]:
    return [cell.text for cell in table_row.cells]


# -- the 35-page report: paragraphs across pages, footnotes, page numbers ----------------------


def test_report_is_read_from_its_text_layer(report: Document) -> None:
    assert report.name == "lamdong_bc329_cchc_2025.pdf"
    assert report.format == "pdf"
    assert re.fullmatch(r"pdfplumber 0\.11\.\d+", report.reader)


@pytest.mark.parametrize(
    "sentence",
    [
        # page 1 -> 2, footnote 1 printed between them
        "Ủy ban nhân dân tỉnh đã tổ chức làm việc với các sở, ngành để đánh giá kết quả đạt được "
        "và đề xuất giải pháp nâng cao các chỉ số PAR INDEX, SIPAS, PAPI, PCI và Bộ chỉ số chỉ "
        "đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ "
        "tục hành chính, dịch vụ công theo thời gian thực trên môi trường điện tử;",
        # page 6 -> 7, footnotes 3-6 between, reference 6 after "tỉnh"
        "theo đó, tỉnh Lâm Đồng đã triển khai công tác theo dõi thi hành pháp luật trọng tâm năm "
        "2025 và thu thập thông tin về tình hình thi hành pháp luật đối với lĩnh vực trọng tâm "
        "theo dõi thi hành pháp luật về cấp giấy chứng nhận quyền sử dụng đất và thu hồi đất;",
        # page 12 -> 13, footnotes 13-14 between
        "Tỉnh Lâm Đồng đã chuyển nguyên trạng 1.376 các đơn vị sự nghiệp công lập thuộc Ủy ban "
        "nhân dân cấp huyện (trước sáp nhập) về trực thuộc cấp xã theo quy định.",
    ],
    ids=["page-1-2", "page-6-7", "page-12-13"],
)
def test_a_sentence_across_a_page_break_is_one_paragraph(report: Document, sentence: str) -> None:
    assert any(sentence in block.text for block in body(report))


def test_footnote_references_are_dropped_from_the_text(report: Document) -> None:
    # "các ngành¹." (page 1) and "địa bàn tỉnh⁶;" (page 6): the raised digits are not text
    texts = [block.text for block in body(report)]
    assert any(t.endswith("nhiệm vụ chính trị của các cấp, các ngành.") for t in texts)
    assert any(
        "theo dõi tình hình thi hành pháp luật trên địa bàn tỉnh; theo đó" in t for t in texts
    )


@pytest.mark.parametrize(
    "footnote",
    [
        "Thường trực Tỉnh ủy và Ủy ban nhân dân tỉnh đã thành lập các đoàn công tác",  # 1, page 1
        "Kế hoạch số 11555/KH-UBND ngày 30/12/2024 về tuyên truyền CCHC năm 2025",  # 2, page 2
        "Sở Tư pháp tỉnh Bình Thuận đã thẩm định 71 dự thảo văn bản",  # 5, page 6
        # 14, page 12 (the body of page 13 names "Ban Quản lý Vườn Quốc gia Tà Đùng" too)
        "Ban Quản lý Vườn Quốc gia Tà Đùng; Trường Cao đẳng Cộng đồng Đắk Nông",
    ],
    ids=["note-1", "note-2", "note-5", "note-14"],
)
def test_footnotes_are_not_in_the_body(report: Document, footnote: str) -> None:
    assert not any(footnote in text for text in every_text(report))


def test_the_notes_count_what_was_left_out(report: Document) -> None:
    counts = {re.sub(r"^\d+ ", "", note): note.split()[0] for note in report.notes}
    assert int(counts["footnote lines left out of the body"]) > 100
    left_out = "page header/footer lines (page numbers, lines repeated on most pages) left out"
    assert int(next(n for note, n in counts.items() if note.startswith(left_out))) >= 30


def test_page_numbers_are_not_body_text(report: Document) -> None:
    # pages 2-34 carry their number alone, centred at the top
    assert not [block.text for block in body(report) if re.fullmatch(r"\d{1,2}", block.text)]


def test_letterhead_with_the_number_the_signature_stamped(report: Document) -> None:
    letterhead = report.blocks[0]
    assert letterhead.kind is Kind.TABLE and letterhead.layout
    issuer, motto = letterhead.rows[0].cells
    assert issuer.lines[:2] == ("ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG")
    assert issuer.lines[2].replace(" ", "") == "Số:329/BC-UBND"
    assert motto.lines == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Lâm Đồng, ngày 19 tháng 12 năm 2025",
    )


def test_headings_and_numbered_sections(report: Document) -> None:
    blocks = body(report)
    assert blocks[0].kind is Kind.HEADING and blocks[0].text == "BÁO CÁO"
    items = [(b.marker, b.text) for b in blocks if b.kind is Kind.LIST_ITEM]
    assert ("I.", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC") in items
    assert ("II.", "KẾT QUẢ THỰC HIỆN CÔNG TÁC CẢI CÁCH HÀNH CHÍNH") in items
    assert ("d)", "Kết quả thực hiện đào tạo, bồi dưỡng cán bộ, công chức, viên chức") in items


# -- the report's "Biểu mẫu" statistics tables -------------------------------------------------


def test_statistics_table_header(report: Document) -> None:
    table = table_after(report, "Biểu mẫu 1")
    first, second = table.rows[:2]
    assert [cell.lines for cell in first.cells] == [
        ("STT",),
        ("Chỉ tiêu thống kê", "(Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, năm)"),
        ("Kết quả thống kê",),
        ("Ghi chú",),
    ]
    assert [cell.col_span for cell in first.cells] == [1, 1, 2, 1]
    # STT, Chỉ tiêu and Ghi chú are merged down over the second header row
    assert values(second) == [
        "STT",
        "Chỉ tiêu thống kê (Sử dụng trong kỳ báo cáo hàng quý, 6 tháng, năm)",
        "Đơn vị tính",
        "Số liệu",
        "Ghi chú",
    ]
    assert [cell.continued for cell in second.cells] == [True, True, False, False, True]


@pytest.mark.parametrize(
    ("number", "expected", "page"),
    [
        ("2.1.", ["2.1.", "Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ", "45", ""], 25),
        ("3.2", ["3.2", "Số UBND cấp xã đã kiểm tra", "", "38", ""], 25),
        ("5.1.", ["5.1.", "Số lượng phiếu khảo sát", "Số lượng", "25.898", ""], 26),
    ],
    ids=["2.1", "3.2", "5.1-next-page"],
)
def test_statistics_table_rows(
    report: Document, number: str, expected: list[str], page: int
) -> None:
    found = row(table_after(report, "Biểu mẫu 1"), number)
    assert values(found) == expected
    assert found.location.page == page


def test_statistics_table_goes_on_to_the_next_page_once(report: Document) -> None:
    table = table_after(report, "Biểu mẫu 1")
    # page 25: 2 header rows and 14 rows (1. to 4.1.2.); page 26 repeats the header, then 5 rows
    assert len(table.rows) == 2 + 14 + 5
    assert [r.cells[0].text for r in table.rows].count("STT") == 2  # the header, not repeated
    assert values(row(table, "5.")) == [
        "5.",
        "Khảo sát sự hài lòng của người dân, tổ chức",
        "Có = 1; Không = 0",
        "1",
        "",
    ]
    # the empty "Ghi chú" of 4.1 is merged down over 4.1.1 to 4.1.3, across the page break
    for number in ("4.1.1.", "4.1.2.", "4.1.3."):
        assert row(table, number).cells[-1].continued


def test_statistics_table_goes_on_to_a_page_of_another_size(report: Document) -> None:
    # Biểu mẫu 7 starts on page 34 (792 x 612 pt) and goes on, header repeated, on page 35
    # (842 x 595 pt), where the table stands 27 pt further right
    table = table_after(report, "Biểu mẫu 7")
    assert values(row(table, "1."))[:4] == [
        "1.",
        "Cập nhật Kiến trúc chính quyền điện tử phiên bản mới nhất",
        "Chưa = 0 Hoàn thành = 1",
        "1",
    ]
    on_next_page = row(table, "4.3.")
    assert values(on_next_page)[:4] == ["4.3.", "Tỷ lệ hồ sơ trực tuyến toàn trình", "%", "90,58"]
    assert on_next_page.location.page == 35
    assert [r.cells[0].text for r in table.rows].count("STT") == 2


def test_seven_statistics_tables(report: Document) -> None:
    titles = [b.text for b in body(report) if re.fullmatch(r"Biểu mẫu \d", b.text)]
    assert titles == [f"Biểu mẫu {n}" for n in range(1, 8)]
    assert len(tables(report)) == 7


# -- Phụ lục VII: two ranking tables, the second over five pages --------------------------------


def test_index_annex_has_two_tables(index_annex: Document) -> None:
    part_one, part_two = tables(index_annex)
    header = ["STT", "Đơn vị", "Điểm chuẩn tối đa", "Điểm tự đánh giá", "Điểm thẩm định", "Chỉ số"]
    assert values(part_one.rows[0]) == header
    assert values(part_two.rows[0]) == header
    # a header, 15 sở and 3 summary rows; a header, 124 xã (pages 2-6) and 3 summary rows
    assert len(part_one.rows) == 1 + 15 + 3
    assert len(part_two.rows) == 1 + 124 + 3
    assert [r.cells[0].text for r in part_two.rows[1:125]] == [str(n) for n in range(1, 125)]
    items = [(b.marker, b.text) for b in body(index_annex) if b.kind is Kind.LIST_ITEM]
    assert items == [("I.", "ĐỐI VỚI CẤP SỞ"), ("II.", "ĐỐI VỚI CẤP XÃ")]


@pytest.mark.parametrize(
    ("part", "expected", "page"),
    [
        (0, ["3", "Sở Văn hoá, Thể thao và Du lịch", "17,50", "17,00", "16,50", "94,29%"], 1),
        (0, ["13", "Thanh tra tỉnh", "17,50", "5,50", "14,50", "82,86%"], 1),
        (1, ["3", "UBND phường Xuân Hương - Đà Lạt", "18,50", "16,28", "16,73", "90,43%"], 2),
        (1, ["124", "UBND xã Hồng Thái", "18,50", "17,31", "10,56", "57,08%"], 6),
    ],
    ids=["so-3-wrapped", "so-13", "xa-3-wrapped", "xa-124-page-6"],
)
def test_index_annex_rows(index_annex: Document, part: int, expected: list[str], page: int) -> None:
    found = row(tables(index_annex)[part], expected[0])
    assert values(found) == expected
    assert found.location.page == page


def test_a_wrapped_unit_name_is_one_cell(index_annex: Document) -> None:
    name = row(tables(index_annex)[0], "3").cells[1]
    assert name.text == "Sở Văn hoá, Thể thao và Du lịch"  # set on two lines, "Du" / "lịch"
    assert name.location.row == 4 and name.location.cell == 2


def test_index_annex_summary_rows_span_five_columns(index_annex: Document) -> None:
    summary = tables(index_annex)[1].rows[-3:]
    assert [values(r) for r in summary] == [
        ["Chỉ số cao nhất", "93,46%"],
        ["Chỉ số trung bình", "78,71%"],
        ["Chỉ số thấp nhất", "57,08%"],
    ]
    assert [r.cells[0].col_span for r in summary] == [5, 5, 5]


# -- the comments table rendered from Excel on one 3049 pt page ---------------------------------


def test_tall_page_table_has_27_numbered_rows(comments: Document) -> None:
    (table,) = tables(comments)
    assert values(table.rows[0]) == [
        "STT",
        "Nội dung góp ý",
        "Đơn vị góp ý",
        "Ý kiến của Sở Nội vụ",
    ]
    assert [r.cells[0].text for r in table.rows[1:]] == [str(n) for n in range(1, 28)]


@pytest.mark.parametrize(
    ("number", "content_start", "unit", "answer_start"),
    [
        (
            "1",
            "Đối với nội dung triển khai trí tuệ nhân tạo (AI), đề nghị bổ sung nhiệm vụ giao Sở "
            "Khoa học và Công nghệ chủ trì, tham mưu UBND tỉnh",
            "Sở Khoa học và Công nghệ; UBND xã D'Ran",
            "Thống nhất tiếp thu và biên tập lại dự thảo cho phù hợp.",
        ),
        (
            "7",
            "Đề nghị giảm chỉ tiêu “Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa các "
            "cấp đạt tối thiểu 50%” theo hướng có lộ trình phù hợp cho cấp xã.",
            "UBND xã Đắk Wil",
            "Không tiếp thu do đây là chỉ tiêu Chính phủ giao.",
        ),
        (
            "12",
            "Tại điểm a khoản 6 mục I dự thảo Kế hoạch, đề nghị điều chỉnh chỉ tiêu “100% dịch vụ "
            "công được cung cấp trực tuyến toàn trình”",
            "Sở Văn hóa, Thể thao và Du lịch; Sở Nông nghiệp và Môi trường; UBND phường Mũi Né",
            "Thống nhất tiếp thu",
        ),
        (
            "27",
            "Tại điểm a khoản 2 mục I dự thảo Kế hoạch, đề nghị điều chỉnh nhiệm vụ “Định kỳ hằng "
            "tháng, công khai trên Trang thông tin điện tử",
            "Thuế tỉnh",
            "Không tiếp thu do nhiệm vụ đã được giao cụ thể tại Chỉ thị số 27/CT-TTg ngày "
            "27/10/2023 của Thủ tướng Chính phủ.",
        ),
    ],
    ids=["1", "7", "12", "27"],
)
def test_tall_page_rows_cell_by_cell(
    comments: Document, number: str, content_start: str, unit: str, answer_start: str
) -> None:
    _, content, by, answer = row(tables(comments)[0], number).cells
    assert content.text.startswith(content_start)
    assert by.text == unit
    assert answer.text.startswith(answer_start)


def test_tall_page_cells_are_not_interleaved(comments: Document) -> None:
    third = row(tables(comments)[0], "3")
    assert values(third)[1] == (
        'Đề nghị thí điểm quy trình "Xử lý hồ sơ không tiếp xúc (Zero-Touch)" đối với các TTHC '
        "đơn giản, cho phép hệ thống tự động kiểm tra và trả kết quả ký số mà không cần sự can "
        "thiệp thủ công của công chức."
    )
    assert values(third)[3].startswith("Không tiếp thu. Việc triển khai thí điểm các mô hình")
    assert values(third)[3].endswith("có văn bản chỉ đạo triển khai sau.")


def test_tall_page_signature_stamp(comments: Document) -> None:
    assert body(comments)[0].text.startswith("Số: 666/TTr-SNV; 22/12/2025")


# -- scans, read by OCR ----------------------------------------------------------------------


def test_scans_are_read_by_ocr(justice_scan: Document, police_scan: Document) -> None:
    for scan, dpi in ((justice_scan, 240), (police_scan, 200)):
        assert scan.format == "pdf-ocr"
        assert re.fullmatch(
            r"pdfplumber 0\.11\.\d+ \+ Tesseract \d+\.\d+\.\d+ \(vie\)", scan.reader
        )
        assert f"pages 1, 2, 3 have no text layer: read by OCR at {dpi} dpi" in scan.notes


def test_ocr_confidence_is_on_every_block(justice_scan: Document, police_scan: Document) -> None:
    for scan in (justice_scan, police_scan):
        confidences = [block.confidence for block in body(scan)]
        assert confidences and all(c is not None and 0 <= c <= 1 for c in confidences)
    assert sum(b.confidence or 0 for b in body(justice_scan)) / len(body(justice_scan)) > 0.9


def test_ocr_letterhead_keeps_the_number(justice_scan: Document) -> None:
    letterhead = justice_scan.blocks[0]
    assert letterhead.kind is Kind.TABLE and letterhead.layout
    issuer, motto = letterhead.rows[0].cells
    assert issuer.lines[1:] == ("SỞ TƯ PHÁP", "Số: 62/TTr-STP")
    assert motto.lines[:2] == ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@pytest.mark.parametrize(
    "phrase",
    [
        "Kính gửi: Ủy ban nhân dân tỉnh Lâm Đồng",
        "Nghị định số 104/2025/NĐ-CP ngày 15/5/2025 của Chính phủ quy định",
        "Hiệp hội Công chứng Việt Nam",
        "Sở Nội vụ có Công văn số 1364/SNV-TCBC",
        "Căn cứ các quy định và hồ sơ như đã nêu trên, Sở Tư pháp đề xuất:",
        "Cơ cấu 01 Chủ tịch, 07 Phó Chủ tịch, trong đó giới thiệu chỉ định",
        "Hội đồng khen thưởng kỷ luật: 10 ủy viên",
        "Dương Tín Hòa",
    ],
)
def test_ocr_reads_vietnamese_with_its_marks(justice_scan: Document, phrase: str) -> None:
    assert any(phrase in text for text in every_text(justice_scan))


def test_ocr_headings_and_numbered_sections(justice_scan: Document) -> None:
    blocks = body(justice_scan)
    assert any(b.kind is Kind.HEADING and b.text == "TỜ TRÌNH" for b in blocks)
    items = [(b.marker, b.text) for b in blocks if b.kind is Kind.LIST_ITEM]
    assert ("1.", "Cơ sở pháp lý đề xuất") in items
    assert ("2.", "Tình hình thực hiện") in items
    assert ("3.2.", "Đối với thời gian Đại hội") in items
    assert ("-", "Ban Chấp hành: 17 ủy viên,") in items


def test_ocr_sentence_across_a_page_break_without_its_footnote(justice_scan: Document) -> None:
    # page 2 ends "… của Hiệp hội Công chứng Việt Nam về việc", page 3 goes on "Hướng dẫn …";
    # footnote 1 ("Hội Công chứng viên tỉnh Lâm Đồng có Công văn số 36/HCCV …") sits between
    texts = [block.text for block in body(justice_scan)]
    assert any(
        "Hiệp hội Công chứng Việt Nam về việc Hướng dẫn một số nội dung liên quan đến hợp nhất "
        "Hội Công chứng viên." in text
        for text in texts
    )
    assert not any(
        "Công văn số 36/HCCV ngày 19/8/2025" in text for text in every_text(justice_scan)
    )
    assert not any(re.fullmatch(r"\d", text) for text in texts)  # page numbers 2 and 3


@pytest.mark.parametrize(
    "phrase",
    [
        "BỘ CÔNG AN",
        "Độc lập - Tự do - Hạnh phúc",
        "Kính gửi: Đồng chí Chủ tịch UBND tỉnh",
        "Nghị quyết số 163/2024/QH15 ngày 27/11/2024 của Quốc hội",
        "toàn tỉnh hiện có 7.503 người nghiện",
        "Về kinh phí triển khai thực hiện Chương trình",
        "/C04-P6",
    ],
)
def test_ocr_reads_the_stamped_letter(police_scan: Document, phrase: str) -> None:
    assert any(phrase in text for text in every_text(police_scan))


def test_ocr_scan_footnotes_are_left_out(police_scan: Document) -> None:
    # page 2: "¹ Cơ sở cai nghiện số 1 có công suất tiếp nhận là 288 người, …" and note ²
    assert not any("công suất tiếp nhận là 288 người" in t for t in every_text(police_scan))
    assert not any("Báo cáo số 34/BC-CAT-PH10" in t for t in every_text(police_scan))
    items = [(b.marker, b.text) for b in body(police_scan) if b.kind is Kind.LIST_ITEM]
    assert ("1.", "Về xây dựng xã, phường, đặc khu không ma tuý") in items
    # the "Nơi nhận" list at the foot of page 3 is small text too, but beside the signature
    recipients = tables(police_scan, layout=True)[-1].rows[0].cells[0].lines
    assert recipients[:2] == ("Nơi nhận:", "- Như kính gửi;")
    assert recipients[-1] == "- Lưu: VT, P6."


# -- files that cannot be read ------------------------------------------------------------------


def test_scans_without_tesseract_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it
    with pytest.raises(SourceError) as raised:
        pdf_front.read(JUSTICE_SCAN)
    assert raised.value.path == JUSTICE_SCAN and raised.value.line == 0
    assert "tesseract is not installed" in raised.value.message
    assert raised.value.message.endswith(
        "scanned pages need OCR: install the Debian packages tesseract-ocr and tesseract-ocr-vie"
    )


def test_scans_without_the_vietnamese_model_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # no vie.traineddata there
    with pytest.raises(SourceError, match=r"no Vietnamese model .* tesseract-ocr-vie$"):
        pdf_front.read(JUSTICE_SCAN)


def test_a_file_that_is_not_a_pdf(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(SourceError, match="not a PDF file: no %PDF- header"):
        pdf_front.read(garbage)


def test_a_truncated_pdf(tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(REPORT.read_bytes()[:2000])
    with pytest.raises(SourceError, match=r"damaged PDF|could not be read"):
        pdf_front.read(truncated)


def test_an_encrypted_pdf(tmp_path: Path) -> None:
    encrypted = tmp_path / "encrypted.pdf"
    encrypted.write_bytes(_pdf_with_user_password())
    with pytest.raises(SourceError, match="encrypted and opens only with a password"):
        pdf_front.read(encrypted)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot open the file"):
        pdf_front.read(tmp_path / "absent.pdf")


def _pdf_with_user_password() -> bytes:
    """One blank page under the standard security handler (RC4, revision 2), whose /U entry
    matches no empty password: a reader must ask for one."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -4 >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body_bytes in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body_bytes)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = b"<" + b"33" * 16 + b">"
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [%s %s] >>\n" % (
        len(objects) + 1,
        file_id,
        file_id,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_a_paragraph_across_a_page_break_is_located_on_both_pages(report: Document) -> None:
    """The sentence that begins on page 6 and ends on page 7 (past footnotes 3-6) is located
    on both: a fact read from its end is on page 7, not only page 6."""
    block = next(
        b
        for b in body(report)
        if "thu thập thông tin về tình hình thi hành pháp luật đối với lĩnh vực trọng tâm" in b.text
    )
    assert (block.location.page, block.location.page_end) == (6, 7)
    assert block.location.describe("en").startswith("page 6–7")
    assert block.location.describe("vi").startswith("trang 6–7")
    single = next(b for b in body(report) if b.location.page == 2 and b.location.page_end is None)
    assert "–" not in single.location.describe("en")
