"""ocr_tables: a ruled table on a scanned page is found from its rules and read cell by cell.

The scan is made here, as a scanner would return a printed annex: a grid drawn with Pillow at
300 dpi (a header cell merged over two columns, two header cells and one data cell merged down
over two rows, an empty cell), typed Vietnamese set in a TrueType serif, a title above and a
sentence below, the rules broken here and there and the page turned by 0.4 degrees, saved as an
image-only PDF. What the table says is known from how it was drawn. The same table split over
two scanned pages, its header repeated, is one table; a red ruled stamp, a framed note and the
two real scans of letters hold none.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
import pytest
from PIL import Image, ImageDraw, ImageFont

from cchc_graph.ingest import ocr_tables, pdf_front
from cchc_graph.ingest.model import Block, Document, Kind
from cchc_graph.text import fold

DPI = 300
# serif fonts with Vietnamese letters (Liberation 1.x, in .../liberation/, has none of "ệ")
FONTS = (
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
)
COLUMNS = (250, 420, 1150, 1720, 2290)  # x of the column rules
ROWS = (700, 810, 920, 1030, 1140, 1250)  # y of the row rules
# (first row, first column, last row, last column) -> the cell's text
CELLS = {
    (0, 0, 1, 0): "TT",
    (0, 1, 1, 1): "Nhiệm vụ",
    (0, 2, 0, 3): "Phân công thực hiện",
    (1, 2, 1, 2): "Chủ trì",
    (1, 3, 1, 3): "Phối hợp",
    (2, 0, 2, 0): "1",
    (2, 1, 2, 1): "Rà soát thủ tục hành chính",
    (2, 2, 2, 2): "Sở Tư pháp",
    (2, 3, 2, 3): "Văn phòng UBND tỉnh",
    (3, 0, 3, 0): "2",
    (3, 1, 3, 1): "Cải cách tổ chức bộ máy",
    (3, 2, 4, 2): "Sở Nội vụ",
    (3, 3, 3, 3): "Các sở, ngành",
    (4, 0, 4, 0): "3",
    (4, 1, 4, 1): "Xây dựng chính quyền số",
    (4, 3, 4, 3): "",
}
TITLE = "KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2024"
CLOSING = "Các cơ quan, đơn vị triển khai thực hiện nghiêm túc Kế hoạch này."


def font(size: int) -> ImageFont.FreeTypeFont:
    found = next((path for path in FONTS if Path(path).exists()), None)
    if found is None:
        pytest.skip("no Liberation 2 or DejaVu serif font to set the scan in")
    return ImageFont.truetype(found, size)


def needs_tesseract() -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")


def draw_table(
    draw: ImageDraw.ImageDraw, rows: tuple[int, ...], cells: dict[tuple[int, int, int, int], str]
) -> None:
    for (first_row, first_column, last_row, last_column), words in cells.items():
        box = (
            COLUMNS[first_column], rows[first_row], COLUMNS[last_column + 1], rows[last_row + 1]
        )  # fmt: skip
        draw.rectangle(box, outline=0, width=3)
        draw.text((box[0] + 25, box[1] + 22), words, font=font(50), fill=0)  # 12 pt at 300 dpi


def draw_page() -> Image.Image:
    """The annex page as printed, then as scanned: rules broken in places, turned a little."""
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    draw.text((1240, 500), TITLE, font=font(50), fill=0, anchor="mm")
    draw_table(draw, ROWS, CELLS)
    draw.text((400, ROWS[-1] + 150), CLOSING, font=font(50), fill=0)
    for x, y in ((800, ROWS[2]), (1400, ROWS[4]), (COLUMNS[1], 1080), (COLUMNS[4], 760)):
        draw.rectangle((x - 3, y - 3, x + 3, y + 3), fill=255)  # a scanner's broken rule
    return page.rotate(0.4, resample=Image.Resampling.BICUBIC, fillcolor=255)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_tesseract()
    path = tmp_path_factory.mktemp("scan") / "phu_luc_scan.pdf"
    draw_page().save(path, resolution=DPI)
    return path


@pytest.fixture(scope="module")
def document(scanned: Path) -> Document:
    return pdf_front.read(scanned)


@pytest.fixture(scope="module")
def table(document: Document) -> Block:
    tables = [block for block in document.blocks if block.kind is Kind.TABLE]
    assert len(tables) == 1
    return tables[0]


def test_the_grid_and_its_merged_cells_are_found() -> None:
    grids = ocr_tables.find_grids(draw_page(), DPI)
    assert len(grids) == 1
    assert (len(grids[0].rows), len(grids[0].columns)) == (len(ROWS), len(COLUMNS))
    assert grids[0].ids == (
        (0, 1, 2, 2),
        (0, 1, 3, 4),
        (5, 6, 7, 8),
        (9, 10, 11, 12),
        (13, 14, 11, 15),
    )


def test_the_table_block_keeps_spans_and_merges(table: Block) -> None:
    assert [[(cell.col_span, cell.continued) for cell in row.cells] for row in table.rows] == [
        [(1, False), (1, False), (2, False)],
        [(1, True), (1, True), (1, False), (1, False)],
        [(1, False)] * 4,
        [(1, False)] * 4,
        [(1, False), (1, False), (1, True), (1, False)],
    ]
    merged_down = table.rows[4].cells[2]
    assert merged_down.lines == table.rows[3].cells[2].lines  # the same lines, marked continued
    assert table.rows[4].cells[3].lines == ()  # the empty cell
    assert table.location.page == 1 and table.location.table == 1
    third = table.rows[2].cells[2].location
    assert (third.page, third.table, third.row, third.cell) == (1, 1, 3, 3)
    assert table.confidence is not None and 0.6 < table.confidence <= 1


def test_each_cell_is_read_on_its_own(table: Block) -> None:
    texts = [[cell.text for cell in row.cells] for row in table.rows]
    wanted = [
        ["TT", "Nhiệm vụ", "Phân công thực hiện"],
        ["TT", "Nhiệm vụ", "Chủ trì", "Phối hợp"],
        ["1", "Rà soát thủ tục hành chính", "Sở Tư pháp", "Văn phòng UBND tỉnh"],
        ["2", "Cải cách tổ chức bộ máy", "Sở Nội vụ", "Các sở, ngành"],
        ["3", "Xây dựng chính quyền số", "Sở Nội vụ", ""],
    ]
    # OCR may slip on a mark; the words, without them, are all there
    assert [[fold(text) for text in row] for row in texts] == [
        [fold(text) for text in row] for row in wanted
    ]
    # a 300-dpi scan of 12-point type reads these with every mark
    for row, column in ((0, 1), (0, 2), (1, 2), (1, 3), (2, 2), (3, 2), (3, 3)):
        assert texts[row][column] == wanted[row][column]


def test_text_around_the_table_comes_once_in_reading_order(document: Document) -> None:
    kinds = [block.kind for block in document.blocks]
    assert kinds.index(Kind.TABLE) == 1 and len(kinds) == 3
    title, _, closing = document.blocks
    assert fold(title.text) == fold(TITLE)
    assert fold(closing.text) == fold(CLOSING)
    assert title.confidence is not None and closing.confidence is not None
    # the words inside the table's box are not read again as paragraphs
    assert not any("Nội vụ" in block.text or "Phối hợp" in block.text for block in document.blocks)


def test_red_rules_and_single_boxes_are_not_tables() -> None:
    stamp = Image.new("RGB", (1200, 800), "white")
    draw = ImageDraw.Draw(stamp)
    for x0, x1 in ((100, 500), (500, 900)):  # a red ruled stamp: two columns, two rows
        for y0, y1 in ((100, 300), (300, 500)):
            draw.rectangle((x0, y0, x1, y1), outline=(210, 30, 40), width=4)
    draw.rectangle((300, 550, 900, 750), outline="black", width=3)  # a framed note: one box
    draw.line((300, 650, 900, 650), fill="black", width=3)  # halved: still one column
    assert ocr_tables.find_grids(stamp, DPI) == []


def test_a_table_going_on_over_the_next_scanned_page_is_one_table(tmp_path: Path) -> None:
    """Page 1 ends with the table; page 2 repeats its two header rows and goes on: one table,
    the repeated header dropped, each row on its own page."""
    needs_tesseract()
    header = {cell: words for cell, words in CELLS.items() if cell[0] < 2}
    first = {**header, **{cell: words for cell, words in CELLS.items() if cell[0] == 2}}
    rest = {(2, c0, 2, c1): words for (r, c0, _, c1), words in CELLS.items() if r == 3}
    pages = [Image.new("L", (2480, 3508), 255) for _ in range(2)]
    draw_table(ImageDraw.Draw(pages[0]), (2900, 3010, 3120, 3230), first)
    draw_table(ImageDraw.Draw(pages[1]), (300, 410, 520, 630), {**header, **rest})
    path = tmp_path / "two_pages.pdf"
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=DPI)
    tables = [block for block in pdf_front.read(path).blocks if block.kind is Kind.TABLE]
    assert len(tables) == 1
    rows = tables[0].rows
    assert [row.location.page for row in rows] == [1, 1, 1, 2]
    assert [fold(row.cells[0].text) for row in rows] == ["tt", "tt", "1", "2"]
    assert fold(rows[3].cells[1].text) == fold("Cải cách tổ chức bộ máy")
    assert [cell.continued for cell in rows[3].cells] == [False] * 4


@pytest.mark.parametrize(
    "name", ["bca_c04_cv3980_2025_scan.pdf", "lamdong_stp_ttr62_2025_scan.pdf"]
)
def test_real_scans_without_tables_have_none(name: str) -> None:
    """The police letter's red "received" stamp is a ruled box, its round seal and signature
    cross the text; the justice office's letter has underlined headings: none is a table."""
    path = Path(__file__).parent / "data" / "formats" / "pdf_scanned" / name
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for page in pdf:
            for grayscale in (False, True):  # found in colour, and as a gray scan would be
                image = page.render(scale=DPI / 72, grayscale=grayscale).to_pil()
                assert ocr_tables.find_grids(image, DPI) == []
    finally:
        pdf.close()
