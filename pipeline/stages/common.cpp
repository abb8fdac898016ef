#include <array>
#include <cstdarg>
#include <stdexcept>

#include "pipeline/config/loader.h"
#include "pipeline/stages/stages.h"

namespace autoif::stages {

std::uint64_t stable_hash(std::string_view text, std::uint64_t seed) {
  std::uint64_t hash = 1469598103934665603ull ^ (seed * 0x9E3779B97F4A7C15ull);
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  // Finish with splitmix64 so that nearby inputs spread over the whole range.
  hash += 0x9E3779B97F4A7C15ull;
  hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9ull;
  hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBull;
  return hash ^ (hash >> 31);
}

std::vector<llm::Message> user_message(std::string text) { return {llm::Message{"user", std::move(text)}}; }

std::string prompt_digest(const config::Config& config, std::string_view name) {
  auto text = config::prompt_text(config, name);
  if (!text) throw std::runtime_error(text.error());
  return std::to_string(stable_hash(*text));
}

std::string format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  int size = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
  if (size > 0) std::vsnprintf(text.data(), text.size() + 1, format, again);
  va_end(again);
  return text;
}

std::optional<storage::InputRow> InputWalk::next() {
  if (at_ == page_.size()) {
    if (exhausted_) return std::nullopt;
    page_ = store_.inputs_page(source_, with_responses_, after_, page_size_);
    at_ = 0;
    exhausted_ = page_.size() < page_size_;
    if (page_.empty()) return std::nullopt;
    after_ = page_.back().position;
  }
  return std::move(page_[at_++]);
}

void drive(run::RunContext& ctx) {
  if (!ctx.loop.run()) throw std::runtime_error(ctx.loop.stop_reason());
}

}  // namespace autoif::stages
