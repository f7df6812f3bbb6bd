"""``{% chart c %}``: a chart's frame, its data as JSON (``json_script``, no inline script),
the "查看数据" table and the "下载图片" button; ``static/dashboards/charts.js`` draws every
chart of the page."""

from django import template

register = template.Library()


@register.inclusion_tag("dashboards/includes/chart.html")
def chart(c):
    return {"chart": c, "spec": c.spec(), "data_id": f"chart-{c.key}-data"}


@register.filter
def figure(value, unit=""):
    """A number with the decimals of its unit (万元: two), "—" when missing."""
    from gaoxin.dashboards.charts import number_text

    if value is None or value == "":
        return "—"
    try:
        return number_text(float(value), unit)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def signed(value, digits=1):
    return f"{float(value):+.{int(digits)}f}"


@register.filter
def absolute(value):
    return abs(value)


@register.filter
def wan(fen):
    """An amount in 分 as 万元 with two decimals (the awards ledger's rule)."""
    from gaoxin.awards.services import wan_text

    return wan_text(fen)
