#include "pipeline/config/input_files.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <optional>

#include "pipeline/config/line_reader.h"
#include "prompts/prompts.h"

namespace autoif::config {
namespace {

using json = nlohmann::json;

// Which file a message is about.
struct FileRole {
  std::string_view name;  // "the query pool"
  std::string_view key;   // "queries.file"
  std::string_view path;
};

std::string at(const FileRole& file, std::int64_t line) {
  std::string out(file.path);
  if (line > 0) out.append(":").append(std::to_string(line));
  return out.append(": ");
}

// The path as a shell word, for the commands the hints suggest.
std::string shell_word(std::string_view path) {
  bool plain = std::all_of(path.begin(), path.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/._-+,=:@").find(c) != std::string_view::npos;
  });
  if (plain && !path.empty()) return std::string(path);
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string_view trimmed(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

// Where a suggested conversion writes: next to the file, never over it.
std::string tagged_name(std::string_view path, std::string_view tag) {
  std::filesystem::path p(path);
  return (p.parent_path() / (p.stem().string() + std::string(tag) + p.extension().string())).string();
}

std::string jsonl_name(std::string_view path) {
  std::filesystem::path p(path);
  if (p.extension() == ".jsonl") return tagged_name(path, ".fixed");
  return p.replace_extension(".jsonl").string();
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string array_hint(const FileRole& file) {
  std::string path = shell_word(file.path);
  return " If the file is one JSON array, convert it to JSON Lines (one row per line) with: jq -c '.[]' " + path +
         " > " + shell_word(jsonl_name(file.path)) + " and name that file in " + std::string(file.key) + ".";
}

std::string reader_message(const FileRole& file, const InputFailure& failure) {
  std::string path = shell_word(file.path);
  std::string_view start = failure.line_start;
  switch (failure.fault) {
    case LineFault::open:
      return at(file, 0) + "cannot open " + std::string(file.name) + " (" + std::string(file.key) + "): " +
             failure.detail;
    case LineFault::read:
      return at(file, failure.line) + "cannot read " + std::string(file.name) + " (" + std::string(file.key) +
             "): " + failure.detail;
    case LineFault::too_long: {
      std::string text = at(file, failure.line) + "this line is longer than " +
                         std::to_string(kMaxLineBytes >> 20) + " MiB, the limit for one row of " +
                         std::string(file.name) + " (" + std::string(file.key) + "); reading stopped there.";
      if (starts_with(start, "\x1F\x8B")) return text + " The file is gzip-compressed: decompress it (gunzip -k " + path + ") and name the plain file.";
      if (starts_with(trimmed(start), "[")) return text + " It starts with '[', so it is probably a whole JSON array on one line." + array_hint(file);
      return text + " Each row must be on its own line: shorten or remove this one, and check that the file has line breaks between rows.";
    }
    case LineFault::bad_utf8: {
      std::string text = at(file, failure.line) + "not valid UTF-8 at " + failure.detail + "; " +
                         std::string(file.name) + " (" + std::string(file.key) + ") must be UTF-8.";
      if (failure.line == 1 && (starts_with(start, "\xFF\xFE") || starts_with(start, "\xFE\xFF")))
        return text + " The file is UTF-16 (it starts with a UTF-16 byte-order mark): convert it with iconv -f UTF-16 -t UTF-8 " +
               path + " > " + shell_word(tagged_name(file.path, ".utf8")) + ".";
      if (failure.line == 1 && starts_with(start, "\x1F\x8B"))
        return text + " The file is gzip-compressed: decompress it (gunzip -k " + path + ") and name the plain file.";
      return text + " If the file is Latin-1 or Windows-1252, convert it with iconv -f WINDOWS-1252 -t UTF-8 " + path +
             " > " + shell_word(tagged_name(file.path, ".utf8")) + "; otherwise fix or remove that line.";
    }
  }
  return at(file, failure.line) + failure.detail;
}

// nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 5: ..." as
// "column 5: ...".
std::string parse_error_text(const json::parse_error& error) {
  std::string what = error.what();
  auto column = what.find("column ");
  return column == std::string::npos ? what : what.substr(column);
}

std::string kind_of(const json& value) {
  if (value.is_array()) return "a JSON array";
  if (value.is_number()) return "a JSON number";
  if (value.is_boolean()) return "a JSON boolean";
  if (value.is_null()) return "JSON null";
  return "a JSON value";
}

std::string field_list(const json& object) {
  std::string text;
  for (const auto& [name, value] : object.items()) {
    if (text.size() > 200) return text + ", ...";
    text += (text.empty() ? "" : ", ") + json(name).dump();
  }
  return text.empty() ? "none" : text;
}

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

struct PoolDetail {
  PoolSummary summary;
  std::optional<json> first_object;  // for "the first row has the fields ..."
  std::size_t shortest = std::numeric_limits<std::size_t>::max(), longest = 0;
};

std::string pool_syntax_message(const FileRole& file, const QuerySettings& settings, std::int64_t line,
                                std::string_view text, const std::string& error) {
  std::string path = shell_word(file.path);
  std::string out = at(file, line) + "not valid JSON (" + error + ").";
  std::string_view start = trimmed(text);
  if (start == "[" || start == "{" || (starts_with(start, "[") && line == 1 && start.size() < 4))
    return out + " The file looks like JSON spread over several lines (pretty-printed); JSON Lines needs each row "
                 "on one line. Convert it with: jq -c '.[]' " + path + " > " + shell_word(jsonl_name(file.path)) +
           " (an array) or jq -c . " + path + " > " + shell_word(jsonl_name(file.path)) + " (objects).";
  if (!starts_with(start, "{") && !starts_with(start, "[") && !starts_with(start, "\""))
    return out + " The query pool must be JSON Lines: one object per line such as {\"" + settings.field +
           "\": \"...\"}. A plain-text file with one query per line converts with: jq -R -c '{" +
           json(settings.field).dump() + ": .}' " + path + " > " + shell_word(jsonl_name(file.path)) + ".";
  return out + " Each line must hold one complete JSON object such as {\"" + settings.field +
         "\": \"...\"}; fix or remove this line.";
}

tl::expected<void, std::string> scan_pool(const QuerySettings& settings, const QueryVisitor& eligible, PoolDetail& detail) {
  FileRole file{"the query pool", "queries.file", settings.file};
  if (settings.file.empty()) return tl::unexpected(std::string("queries.file is not set: the query pool is required"));
  auto reader = LineReader::open(settings.file);
  if (!reader) return tl::unexpected(reader_message(file, reader.error()));
  for (;;) {
    auto line = reader->next();
    if (!line) return tl::unexpected(reader_message(file, line.error()));
    if (!*line) return {};
    std::string_view text = **line;
    if (trimmed(text).empty()) continue;
    const std::int64_t number = reader->line_number();
    ++detail.summary.rows;
    json row;
    try {
      row = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& error) {
      return tl::unexpected(pool_syntax_message(file, settings, number, text, parse_error_text(error)));
    }
    std::string query;
    if (row.is_string()) {
      query = row.get<std::string>();
    } else if (row.is_object()) {
      if (!detail.first_object) detail.first_object = row;
      auto field = row.find(settings.field);
      if (field == row.end() || !field->is_string()) continue;  // rows without the field are not queries
      query = field->get<std::string>();
    } else {
      std::string out = at(file, number) + "this row is " + kind_of(row) + ", not an object such as {\"" +
                        settings.field + "\": \"...\"} or a string.";
      if (row.is_array()) out += array_hint(file);
      return tl::unexpected(out);
    }
    ++detail.summary.with_field;
    std::size_t length = utf8_length(query);
    detail.shortest = std::min(detail.shortest, length);
    detail.longest = std::max(detail.longest, length);
    if (length < settings.min_chars || length > settings.max_chars) continue;
    ++detail.summary.eligible;
    if (eligible) eligible(number, std::move(query));
  }
}

std::string pool_content_problem(const QuerySettings& settings, const PoolDetail& detail) {
  FileRole file{"the query pool", "queries.file", settings.file};
  const auto& s = detail.summary;
  if (s.rows == 0)
    return at(file, 0) + "the query pool (queries.file) is empty; it needs one JSON object per line such as {\"" +
           settings.field + "\": \"How do I ...?\"} (`autoif init DIR` writes a sample pool).";
  if (s.with_field == 0) {
    std::string out = at(file, 0) + "no row of the query pool has a string field \"" + settings.field +
                      "\" (queries.field)";
    if (detail.first_object) out += "; the first object row has the fields " + field_list(*detail.first_object);
    return out + ". Set queries.field to the field that holds the query text.";
  }
  if (s.eligible == 0)
    return at(file, 0) + "none of the " + std::to_string(s.with_field) + " queries in field \"" + settings.field +
           "\" is " + std::to_string(settings.min_chars) + " to " + std::to_string(settings.max_chars) +
           " characters long (queries.min_chars, queries.max_chars); the shortest has " +
           std::to_string(detail.shortest) + " and the longest " + std::to_string(detail.longest) +
           ". Change those keys or use another pool.";
  return "";
}

// One seed line as an instruction ("" for a line that holds none), or what is wrong with it.
tl::expected<std::string, std::string> seed_of(const FileRole& file, std::int64_t number, std::string_view line) {
  std::string_view text = trimmed(line);
  if (text.empty() || text[0] == '#') return std::string();
  bool json_like = text[0] == '{' || text[0] == '"';
  if (!json_like && text[0] != '[') return std::string(text);
  json row;
  try {
    row = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& error) {
    if (!json_like) return std::string(text);  // plain text that happens to start with '['
    return tl::unexpected(at(file, number) + "starts like JSON but is not valid JSON (" + parse_error_text(error) +
                          "). Write the instruction as plain text, or as {\"instruction\": \"...\"} on one line.");
  }
  if (row.is_array())
    return tl::unexpected(at(file, number) + "this row is a JSON array; the seed file holds one instruction per line." +
                          array_hint(file));
  if (row.is_string()) return std::string(trimmed(row.get<std::string>()));
  if (!row.is_object()) return std::string(text);
  auto field = row.find("instruction");
  if (field == row.end() || !field->is_string())
    return tl::unexpected(at(file, number) + "expected an object with a string field \"instruction\" (this row has " +
                          field_list(row) + "); seed rows look like {\"instruction\": \"Answer in French.\"}.");
  return std::string(trimmed(field->get<std::string>()));
}

}  // namespace

tl::expected<PoolSummary, std::string> scan_query_pool(const QuerySettings& settings, const QueryVisitor& eligible) {
  PoolDetail detail;
  if (auto scanned = scan_pool(settings, eligible, detail); !scanned) return tl::unexpected(scanned.error());
  return detail.summary;
}

tl::expected<std::vector<std::string>, std::string> read_seeds(const SeedSettings& settings) {
  const bool builtin = settings.file.empty();
  FileRole file{"the seed file", "seeds.file", builtin ? std::string_view("built-in seeds") : settings.file};
  std::optional<LineReader> reader;
  if (builtin) {
    reader.emplace(LineReader::from_text(std::string(*prompts::builtin("default_seeds"))));
  } else {
    auto opened = LineReader::open(settings.file);
    if (!opened) return tl::unexpected(reader_message(file, opened.error()));
    reader.emplace(std::move(*opened));
  }
  std::vector<std::string> seeds;
  for (;;) {
    auto line = reader->next();
    if (!line) return tl::unexpected(reader_message(file, line.error()));
    if (!*line) break;
    auto seed = seed_of(file, reader->line_number(), **line);
    if (!seed) return tl::unexpected(seed.error());
    if (!seed->empty()) seeds.push_back(std::move(*seed));
  }
  if (seeds.empty())
    return tl::unexpected(at(file, 0) + "the seed file (seeds.file) holds no instruction (only blank lines or # "
                                        "comments); add one instruction per line, or remove seeds.file to use the "
                                        "built-in seeds.");
  return seeds;
}

tl::expected<void, std::string> check_input_files(const Config& config) {
  std::string problems;
  auto add = [&](const std::string& problem) { problems += (problems.empty() ? "" : "\n") + problem; };
  if (!config.seeds.file.empty())
    if (auto seeds = read_seeds(config.seeds); !seeds) add(seeds.error());
  if (!config.queries.file.empty()) {
    PoolDetail detail;
    if (auto scanned = scan_pool(config.queries, {}, detail); !scanned)
      add(scanned.error());
    else if (auto problem = pool_content_problem(config.queries, detail); !problem.empty())
      add(problem);
  }
  if (problems.empty()) return {};
  return tl::unexpected(problems);
}

}  // namespace autoif::config
