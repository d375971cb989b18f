"""API shapes of ledger imports. Counts and problems only: no personal numbers."""

from datetime import datetime

from ninja import Field, Schema


class ImportCountsOut(Schema):
    estimated_rows: int = 0
    total: int | None = None
    new: int | None = None
    duplicate: int | None = None
    rejected: int | None = None
    warnings: int | None = None
    created: int | None = None
    updated: int | None = None
    skipped: int | None = None


class ImportSheetOut(Schema):
    name: str
    header_row: int | None
    headers: list[str]
    columns: dict[str, str] = Field(..., description="列号（从 0 起）→ 导入项目")


class ImportJobOut(Schema):
    id: int
    area_id: int
    area_name: str = Field(..., alias="area.name")
    file_name: str
    file_kind: str
    file_size: int
    sha256: str
    state: str
    progress: int
    commit_mode: str
    duplicate_mode: str
    counts: ImportCountsOut
    sheets: list[ImportSheetOut]
    error_message: str
    failed_row: str
    has_rejected_file: bool
    already_imported_at: datetime | None = None
    created_at: datetime
    validated_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_sheets(obj) -> list:
        return obj.mapping.get("sheets", [])

    @staticmethod
    def resolve_has_rejected_file(obj) -> bool:
        return bool(obj.rejected_file)

    @staticmethod
    def resolve_already_imported_at(obj):
        previous = getattr(obj, "previous", None)
        return previous.finished_at if previous is not None else None


class ImportMappingIn(Schema):
    sheets: dict[str, dict[str, str]] = Field(
        ..., description="工作表名 → {列号: 导入项目}；导入项目为空表示不导入该列"
    )


class ImportValidateIn(Schema):
    duplicate_mode: str = Field("skip", max_length=8, description="skip 跳过重复的人 / update 更新")


class ImportCommitIn(Schema):
    mode: str = Field(
        ...,
        max_length=16,
        description="valid_only 只导入无错误的行 / all_or_nothing 全部无误才导入",
    )
    duplicate_mode: str = Field("skip", max_length=8, description="skip / update")


class ImportProblemOut(Schema):
    sheet: str
    row: int
    column: str
    level: str
    message: str
