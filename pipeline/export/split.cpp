#include "pipeline/export/split.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace autoif::exports {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

}  // namespace

tl::expected<std::vector<SplitPart>, std::string> parse_split(std::string_view spec) {
  std::vector<SplitPart> parts;
  double sum = 0;
  while (true) {
    auto comma = spec.find(',');
    auto item = trim(spec.substr(0, comma));
    auto colon = item.find(':');
    if (colon == std::string_view::npos)
      return tl::unexpected("--split: '" + std::string(item) + "' is not NAME:FRACTION (e.g. train:0.9,test:0.1)");
    auto name = trim(item.substr(0, colon)), number = trim(item.substr(colon + 1));
    if (!valid_name(name))
      return tl::unexpected("--split: '" + std::string(name) +
                            "' is not a split name (letters, digits, '-' and '_' only)");
    for (const auto& part : parts)
      if (part.name == name) return tl::unexpected("--split: the split '" + std::string(name) + "' is named twice");
    double fraction = 0;
    auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), fraction);
    if (error != std::errc() || end != number.data() + number.size() || !std::isfinite(fraction))
      return tl::unexpected("--split: '" + std::string(number) + "' (split '" + std::string(name) +
                            "') is not a number");
    if (!(fraction > 0 && fraction <= 1))
      return tl::unexpected("--split: the fraction of '" + std::string(name) + "' must be above 0 and at most 1");
    parts.push_back({std::string(name), fraction});
    sum += fraction;
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  if (std::fabs(sum - 1.0) > 1e-9) {
    char text[64];
    std::snprintf(text, sizeof text, "%.12g", sum);
    return tl::unexpected(std::string("--split: the fractions add up to ") + text + ", not 1");
  }
  return parts;
}

std::uint64_t stable_hash(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  // splitmix64's finalizer: FNV's high bits alone are poorly mixed for short inputs.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

std::size_t split_of(std::string_view prompt, const std::vector<SplitPart>& parts) {
  double u = static_cast<double>(stable_hash(prompt) >> 11) * 0x1.0p-53;  // [0, 1)
  double cumulative = 0;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    cumulative += parts[i].fraction;
    if (u < cumulative) return i;
  }
  return parts.size() - 1;  // the last part takes the rest, whatever rounding left
}

std::string split_path(const std::string& out, const std::string& name) {
  std::filesystem::path path(out);
  auto extension = path.extension().string();
  path.replace_extension();
  path += "." + name + extension;
  return path.string();
}

}  // namespace autoif::exports
