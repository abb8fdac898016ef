// What one evaluation of `evaluate(response)` came to.
//
// The sandbox reports exactly one Verdict per input. `result` holds the bool only when the
// status is `ok`; every other status means the function did not produce a usable answer
// for that input, and `message` says why in one line meant for people.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autoif::sandbox {

enum class Status : unsigned char {
  ok = 1,         // evaluate returned a real bool
  compile_error,  // the source did not execute or defines no callable `evaluate`
  runtime_error,  // evaluate raised; the message names the exception
  bad_return,     // evaluate returned something that is not a bool
  timeout,        // the input's wall-clock budget ran out
  memory_limit,   // the memory budget ran out
  forbidden,      // the code attempted an operation the sandbox forbids
  crashed,        // the evaluation died in any other way
};

std::string_view to_string(Status status);
// Inverse of to_string; nullopt for an unknown name.
std::optional<Status> status_from_string(std::string_view name);

struct Verdict {
  Status status = Status::crashed;
  std::optional<bool> result;  // set iff status == ok
  std::string message;

  bool passed() const { return status == Status::ok && result == true; }
  friend bool operator==(const Verdict&, const Verdict&) = default;
};

}  // namespace autoif::sandbox
