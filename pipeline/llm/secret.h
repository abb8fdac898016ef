// API keys: read from the environment once, held only in memory, and kept out of everything
// that is written down or inherited.
//
// Why the environment variable is removed after the read: child processes (the sandbox
// workers, anything a stage spawns) inherit the environment, and the key must never reach
// them. The value stays cached in this process, so a second role naming the same variable
// still gets it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace autoif::llm {

// A key that cannot be printed by accident: no stream operator, no implicit conversion.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  bool empty() const { return value_.empty(); }
  // The only way to the bytes: for building the Authorization header, and for redaction.
  const std::string& reveal() const { return value_; }

 private:
  std::string value_;
};

// The key in environment variable `name`, read on the first call for that name and then
// removed from the environment (unsetenv); later calls return the cached value. nullopt when
// the variable was never set or was empty. Thread-safe; meant to be called at start-up,
// before threads that might read the environment exist.
std::optional<Secret> take_api_key_from_env(const std::string& name);

// The URL without user:password@ and without query string or fragment, for messages.
std::string redact_url(std::string_view url);

// `text` with every occurrence of the secret replaced by "[redacted]" (no-op for an empty one).
std::string redact(std::string text, const Secret& secret);

}  // namespace autoif::llm
