// StorageError: what every fallible storage call returns instead of throwing.
//
// Contract
// - Carries the SQLite extended result code, the operating-system errno SQLite saw (0 if
//   none), the database file it concerns and a message that already names the operation
//   and quotes SQLite's own text, so callers can print what() as is.
// - disk_full() is true for SQLITE_FULL and for writes refused by the operating system for
//   lack of space or a file-size limit (ENOSPC, EDQUOT, EFBIG): the one failure an operator
//   can fix without touching the program.
// - Never contains bound parameter values, so secrets handed to a statement cannot leak
//   through an error message.
#pragma once

#include <string>

namespace autoif::storage {

struct StorageError {
  int code = 0;       // SQLite extended result code; 0 for errors outside SQLite
  int sys_errno = 0;  // errno behind an I/O failure, 0 if none
  std::string path;   // database file; ":memory:" for in-memory databases
  std::string message;

  bool disk_full() const;
  bool busy() const;  // another connection held a lock for longer than the busy timeout
  // "storage: <path>: <message>"
  std::string what() const;
};

}  // namespace autoif::storage
