#include "pipeline/cli/args.h"

#include <charconv>

namespace autoif::cli {

std::optional<std::string> ParsedArgs::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

tl::expected<std::optional<long long>, std::string> ParsedArgs::get_int(const std::string& name,
                                                                        long long min,
                                                                        long long max) const {
  auto text = get(name);
  if (!text) return std::optional<long long>{};
  long long value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc{} || end != text->data() + text->size())
    return tl::unexpected("--" + name + " expects a whole number, got '" + *text + "'");
  if (value < min || value > max)
    return tl::unexpected("--" + name + " must be between " + std::to_string(min) + " and " +
                          std::to_string(max) + ", got " + *text);
  return std::optional<long long>{value};
}

tl::expected<ParsedArgs, std::string> parse_args(std::span<const std::string> args,
                                                 std::span<const FlagSpec> spec) {
  ParsedArgs parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (!arg.empty() && arg[0] == '-' && arg != "-")
        return tl::unexpected("unknown option '" + arg + "'");
      parsed.positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    const FlagSpec* flag = nullptr;
    for (const auto& candidate : spec)
      if (candidate.name == name) flag = &candidate;
    if (!flag) return tl::unexpected("unknown option '--" + name + "'");
    if (!flag->repeatable && parsed.values_.count(name))
      return tl::unexpected("option '--" + name + "' given twice");
    if (!flag->takes_value) {
      if (inline_value) return tl::unexpected("option '--" + name + "' takes no value");
      parsed.values_[name].push_back("true");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return tl::unexpected("option '--" + name + "' needs a value");
      inline_value = args[++i];
    }
    parsed.values_[name].push_back(*inline_value);
  }
  return parsed;
}

bool wants_help(std::span<const std::string> args) {
  for (const auto& arg : args)
    if (arg == "--help" || arg == "-h") return true;
  return false;
}

}  // namespace autoif::cli
