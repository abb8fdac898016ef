#include "storage/error.h"

#include <sqlite3.h>

#include <cerrno>

namespace autoif::storage {

bool StorageError::disk_full() const {
  if ((code & 0xff) == SQLITE_FULL) return true;
  // SQLite reports EFBIG and EDQUOT as generic I/O errors; for the operator they mean the
  // same thing as a full disk.
  return sys_errno == ENOSPC || sys_errno == EDQUOT || sys_errno == EFBIG;
}

bool StorageError::busy() const {
  int primary = code & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

std::string StorageError::what() const {
  std::string out = "storage: ";
  out += path.empty() ? std::string("(no database)") : path;
  out += ": ";
  out += message;
  return out;
}

}  // namespace autoif::storage
