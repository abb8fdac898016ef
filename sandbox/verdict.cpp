#include "sandbox/verdict.h"

#include <array>
#include <utility>

namespace autoif::sandbox {
namespace {
constexpr std::array<std::pair<Status, std::string_view>, 8> kNames{{
    {Status::ok, "ok"},
    {Status::compile_error, "compile_error"},
    {Status::runtime_error, "runtime_error"},
    {Status::bad_return, "bad_return"},
    {Status::timeout, "timeout"},
    {Status::memory_limit, "memory_limit"},
    {Status::forbidden, "forbidden"},
    {Status::crashed, "crashed"},
}};
}  // namespace

std::string_view to_string(Status status) {
  for (const auto& [value, name] : kNames)
    if (value == status) return name;
  return "crashed";
}

std::optional<Status> status_from_string(std::string_view name) {
  for (const auto& [value, text] : kNames)
    if (text == name) return value;
  return std::nullopt;
}

}  // namespace autoif::sandbox
