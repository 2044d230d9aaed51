"""mypy plugin: the `id` column Piccolo's Table metaclass adds at runtime.

`Table.__init_subclass__` gives every table without its own primary key a Serial column named `id`;
mypy cannot see that, so this adds `id: Serial` to each direct subclass of piccolo.table.Table that
defines neither `id` nor a column with `primary_key=True`.
"""

from collections.abc import Callable

from mypy.nodes import AssignmentStmt, CallExpr, NameExpr
from mypy.plugin import ClassDefContext, Plugin
from mypy.plugins.common import add_attribute_to_class

SERIAL = "piccolo.columns.column_types.Serial"


def _own_primary_key(ctx: ClassDefContext) -> bool:
    for stmt in ctx.cls.defs.body:
        if isinstance(stmt, AssignmentStmt) and isinstance(stmt.rvalue, CallExpr):
            for name, arg in zip(stmt.rvalue.arg_names, stmt.rvalue.args, strict=True):
                if name == "primary_key" and isinstance(arg, NameExpr) and arg.fullname == "builtins.True":
                    return True
    return False


def _add_id(ctx: ClassDefContext) -> None:
    if "id" in ctx.cls.info.names or _own_primary_key(ctx):
        return
    serial = ctx.api.named_type_or_none(SERIAL)
    if serial is None:  # Serial not analysed yet: ask for another pass
        if not ctx.api.final_iteration:
            ctx.api.defer()
        return
    add_attribute_to_class(ctx.api, ctx.cls, "id", serial)


class PiccoloPlugin(Plugin):
    def get_base_class_hook(self, fullname: str) -> Callable[[ClassDefContext], None] | None:
        return _add_id if fullname == "piccolo.table.Table" else None


def plugin(version: str) -> type[Plugin]:
    return PiccoloPlugin
