"""One docutils table builder for the docs' own extensions (reports, directive reference)."""

from docutils import nodes


def table(headers, rows, classes, widths=None):
    """A table with a header row; cells are nodes or text. widths: relative column widths
    (equal when None)."""
    table_node = nodes.table(classes=list(classes))
    group = nodes.tgroup(cols=len(headers))
    table_node += group
    for w in widths or [1] * len(headers):
        group += nodes.colspec(colwidth=w)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for h in headers:
        row += nodes.entry("", nodes.paragraph(h, h))
    head += row
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            entry = nodes.entry()
            if isinstance(cell, nodes.Node):
                entry += cell
            else:
                entry += nodes.paragraph(str(cell), str(cell))
            row += entry
        body += row
    return table_node
