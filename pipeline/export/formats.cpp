#include "pipeline/export/formats.h"

#include <array>
#include <utility>

namespace autoif::exports {
namespace {

constexpr std::array<std::pair<std::string_view, Format>, 9> kNames{{
    {"trl-sft", Format::trl_sft},
    {"trl-dpo", Format::trl_dpo},
    {"trl-kto", Format::trl_kto},
    {"alpaca-sft", Format::alpaca_sft},
    {"alpaca-dpo", Format::alpaca_dpo},
    {"sharegpt-sft", Format::sharegpt_sft},
    {"sharegpt-dpo", Format::sharegpt_dpo},
    {"rlvr", Format::rlvr},
    {"verifiers", Format::verifiers},
}};

std::string compact(const Row& row) { return row.dump(-1, ' ', false, Row::error_handler_t::replace); }

Row turn(const char* role_key, const char* role, const char* content_key, const std::string& content) {
  return Row{{role_key, role}, {content_key, content}};
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  for (const auto& [text, format] : kNames)
    if (text == name) return format;
  return std::nullopt;
}

std::string_view format_name(Format format) {
  for (const auto& [text, f] : kNames)
    if (f == format) return text;
  return "?";
}

std::string format_names() {
  std::string names;
  for (const auto& [text, format] : kNames) {
    if (!names.empty()) names += ", ";
    names += text;
  }
  return names;
}

Source source_of(Format format) {
  switch (format) {
    case Format::trl_sft:
    case Format::trl_kto:
    case Format::alpaca_sft:
    case Format::sharegpt_sft: return Source::responses;
    case Format::trl_dpo:
    case Format::alpaca_dpo:
    case Format::sharegpt_dpo: return Source::pairs;
    case Format::rlvr: return Source::inputs;
    case Format::verifiers: return Source::instructions;
  }
  return Source::responses;
}

bool is_llamafactory(Format format) {
  return format == Format::alpaca_sft || format == Format::alpaca_dpo || format == Format::sharegpt_sft ||
         format == Format::sharegpt_dpo;
}

Row sft_row(Format format, const std::string& prompt, const std::string& response) {
  switch (format) {
    case Format::alpaca_sft:
      // The stored prompt already joins query and instruction (queries.template); it goes in
      // whole, so the model trains on exactly the text the response was verified against.
      return Row{{"instruction", prompt}, {"input", ""}, {"output", response}};
    case Format::sharegpt_sft:
      return Row{{"conversations",
                  {turn("from", "human", "value", prompt), turn("from", "gpt", "value", response)}}};
    default:
      return Row{{"messages",
                  {turn("role", "user", "content", prompt), turn("role", "assistant", "content", response)}}};
  }
}

Row pair_row(Format format, const std::string& prompt, const std::string& chosen, const std::string& rejected) {
  switch (format) {
    case Format::alpaca_dpo:
      return Row{{"instruction", prompt}, {"input", ""}, {"chosen", chosen}, {"rejected", rejected}};
    case Format::sharegpt_dpo:
      return Row{{"conversations", Row::array({turn("from", "human", "value", prompt)})},
                 {"chosen", turn("from", "gpt", "value", chosen)},
                 {"rejected", turn("from", "gpt", "value", rejected)}};
    default: return Row{{"prompt", prompt}, {"chosen", chosen}, {"rejected", rejected}};
  }
}

Row kto_row(const std::string& prompt, const std::string& completion, bool label) {
  return Row{{"prompt", prompt}, {"completion", completion}, {"label", label}};
}

Row rlvr_row(const std::string& prompt, const std::string& instruction,
             const std::vector<storage::ExportFunction>& functions, double min_pass_rate) {
  Row sources = Row::array();
  for (const auto& f : functions) sources.push_back(f.source);
  Row truth{{"instruction", instruction}, {"functions", std::move(sources)}, {"min_pass_rate", min_pass_rate}};
  return Row{{"messages", Row::array({turn("role", "user", "content", prompt)})},
             {"ground_truth", compact(truth)},
             {"dataset", "autoif"}};
}

Row verifiers_row(const std::string& instruction, const std::vector<storage::ExportFunction>& functions,
                  const std::vector<storage::ExportCase>& cases) {
  Row eval_func = Row::array(), case_rows = Row::array();
  for (const auto& f : functions) eval_func.push_back(Row::array({f.source, f.accuracy}));
  for (const auto& c : cases) case_rows.push_back(Row::array({c.input, c.expected}));
  return Row{{"instruction", instruction}, {"eval_func", std::move(eval_func)}, {"cases", std::move(case_rows)}};
}

std::string line(const Row& row) {
  std::string text = compact(row);
  text += '\n';
  return text;
}

}  // namespace autoif::exports
