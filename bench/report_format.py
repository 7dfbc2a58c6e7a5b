"""Number formatting shared by bench/report.py and bench/goals.py."""

kNotMeasured = "not measured"


def number(value, digits=None):
    """1234567 -> '1,234,567'; 3.14159 -> '3.14'; None -> '–'."""
    if value is None:
        return "–"
    if digits is None and float(value).is_integer():
        digits = 0
    if digits is None:
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 10 else 2
    return f"{value:,.{digits}f}"
