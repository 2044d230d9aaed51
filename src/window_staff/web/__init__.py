"""Server-rendered pages (Jinja2 + HTMX, zh-CN by default, English available) for every role."""
