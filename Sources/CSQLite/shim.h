// The system's SQLite, for `kiemctl doctor`'s read-only `PRAGMA quick_check`
// of a replica: kiemctl links libsqlite3, not GRDB (KiemStore's engine).
#include <sqlite3.h>
