"""Import partners from spreadsheets: map the columns, judge every row, write them in bulk.

mapping (columns to fields), values (reading cells), plan and planning (what every row would
do), writing (the bulk write), batches and background (a file kept until it is confirmed).
"""

from hub.partners.imports.background import queue_batch, settle_batch, settle_queued_batches
from hub.partners.imports.batches import (
    apply_batch,
    create_batch,
    delete_stale_batches,
    discard_batch,
    fail_batch,
    headers_key,
    rejected_rows_headers,
    rejected_rows_table,
    remembered_mapping,
    run_queued_batch,
    set_batch_mapping,
    table_for_batch,
)
from hub.partners.imports.mapping import (
    FIELD_CHOICES,
    FIELD_KEYS,
    IGNORE,
    check_mapping,
    field_label,
    fold,
    guess_field,
    guess_mapping,
)
from hub.partners.imports.plan import (
    ImportCounts,
    ImportPlan,
    ImportRejected,
    RowPlan,
    row_message,
)
from hub.partners.imports.planning import plan_import
from hub.partners.imports.rows import default_source
from hub.partners.imports.values import (
    DateError,
    clean_website,
    parse_bool,
    parse_date,
    resolve_country,
)
from hub.partners.imports.writing import apply_import
from hub.partners.spreadsheets import (
    ImportFileError,
    Limits,
    SourceRow,
    Table,
    clean_cell,
    read_bytes,
    read_file,
    read_path,
)

__all__ = [
    "FIELD_CHOICES",
    "FIELD_KEYS",
    "IGNORE",
    "DateError",
    "ImportCounts",
    "ImportFileError",
    "ImportPlan",
    "ImportRejected",
    "Limits",
    "RowPlan",
    "SourceRow",
    "Table",
    "apply_batch",
    "apply_import",
    "check_mapping",
    "clean_cell",
    "clean_website",
    "create_batch",
    "default_source",
    "delete_stale_batches",
    "discard_batch",
    "fail_batch",
    "field_label",
    "fold",
    "guess_field",
    "guess_mapping",
    "headers_key",
    "parse_bool",
    "parse_date",
    "plan_import",
    "queue_batch",
    "read_bytes",
    "read_file",
    "read_path",
    "rejected_rows_headers",
    "rejected_rows_table",
    "remembered_mapping",
    "resolve_country",
    "row_message",
    "run_queued_batch",
    "set_batch_mapping",
    "settle_batch",
    "settle_queued_batches",
    "table_for_batch",
]
