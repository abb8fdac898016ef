#include "pipeline/official/row_fields.h"

#include <algorithm>

namespace autoif::official {

std::string describe(const Row& value) {
  switch (value.type()) {
    case Row::value_t::null: return "null";
    case Row::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Row::value_t::string: return "a string";
    case Row::value_t::array: return "a list";
    case Row::value_t::object: return "an object";
    case Row::value_t::number_integer:
    case Row::value_t::number_unsigned:
    case Row::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

tl::expected<std::string, std::string> string_field(const Row& row, const std::string& key) {
  auto it = row.find(key);
  if (it == row.end()) return tl::unexpected("missing field \"" + key + "\"");
  if (!it->is_string())
    return tl::unexpected("field \"" + key + "\" must be a string, got " + describe(*it));
  return it->get<std::string>();
}

tl::expected<std::vector<std::string>, std::string> string_list(const Row& row,
                                                                const std::string& key) {
  auto it = row.find(key);
  if (it == row.end()) return tl::unexpected("missing field \"" + key + "\"");
  if (!it->is_array())
    return tl::unexpected("field \"" + key + "\" must be a list of strings, got " + describe(*it));
  std::vector<std::string> out;
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) {
    const Row& item = (*it)[i];
    if (!item.is_string())
      return tl::unexpected("field \"" + key + "\"[" + std::to_string(i) +
                            "] must be a string, got " + describe(item));
    out.push_back(item.get<std::string>());
  }
  return out;
}

Row replace_field(const Row& row, const std::string& key, Fields fields) {
  auto replaced = [&](const std::string& name) {
    return std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
  };
  Row out = Row::object();
  bool placed = false;
  for (auto it = row.begin(); it != row.end(); ++it) {
    if (it.key() == key) {
      for (auto& [name, value] : fields) out[name] = std::move(value);
      placed = true;
    } else if (!replaced(it.key())) {
      out[it.key()] = it.value();
    }
  }
  if (!placed)
    for (auto& [name, value] : fields) out[name] = std::move(value);
  return out;
}

}  // namespace autoif::official
