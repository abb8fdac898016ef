#include "pipeline/config/toml_value.h"

#include <cmath>
#include <sstream>

namespace autoif::config {
namespace {

using json = nlohmann::json;

std::string shorten(std::string text) {
  constexpr std::size_t kMax = 60;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::string describe(const toml::node& node, bool sensitive) {
  std::string kind;
  switch (node.type()) {
    case toml::node_type::string: kind = "a string"; break;
    case toml::node_type::integer: kind = "an integer"; break;
    case toml::node_type::floating_point: kind = "a float"; break;
    case toml::node_type::boolean: kind = "a boolean"; break;
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: kind = "a date/time"; break;
  }
  if (sensitive) return kind;
  return kind + " " + shorten(node_to_json(node).dump());
}

tl::unexpected<std::string> wrong(const toml::node& node, KeyType type, bool sensitive) {
  return tl::unexpected("expected " + std::string(type_name(type)) + ", got " + describe(node, sensitive));
}

}  // namespace

std::string position_text(const toml::source_position& position) {
  return std::to_string(position.line) + ":" + std::to_string(position.column);
}

json node_to_json(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return node.as_string()->get();
    case toml::node_type::integer: return node.as_integer()->get();
    case toml::node_type::floating_point: return node.as_floating_point()->get();
    case toml::node_type::boolean: return node.as_boolean()->get();
    case toml::node_type::array: {
      json out = json::array();
      for (const auto& item : *node.as_array()) out.push_back(node_to_json(item));
      return out;
    }
    case toml::node_type::table: {
      json out = json::object();
      for (const auto& [key, value] : *node.as_table()) out[std::string(key.str())] = node_to_json(value);
      return out;
    }
    default: {
      std::ostringstream text;
      node.visit([&](const auto& value) { text << value; });
      return text.str();
    }
  }
}

tl::expected<json, std::string> read_value(const toml::node& node, KeyType type, bool sensitive) {
  switch (type) {
    case KeyType::string:
      if (!node.is_string()) return wrong(node, type, sensitive);
      return json(node.as_string()->get());
    case KeyType::integer:
      if (!node.is_integer()) return wrong(node, type, sensitive);
      return json(node.as_integer()->get());
    case KeyType::number: {
      if (node.is_integer()) return json(static_cast<double>(node.as_integer()->get()));
      if (!node.is_floating_point()) return wrong(node, type, sensitive);
      double value = node.as_floating_point()->get();
      if (!std::isfinite(value)) return tl::unexpected(std::string("must be a finite number"));
      return json(value);
    }
    case KeyType::boolean:
      if (!node.is_boolean()) return wrong(node, type, sensitive);
      return json(node.as_boolean()->get());
    case KeyType::string_list: {
      if (node.is_string()) return json::array({node.as_string()->get()});
      if (!node.is_array()) return wrong(node, type, sensitive);
      json out = json::array();
      std::size_t index = 0;
      for (const auto& item : *node.as_array()) {
        if (!item.is_string())
          return tl::unexpected("expected a list of strings, but item " + std::to_string(index + 1) + " is " +
                                describe(item, sensitive));
        out.push_back(item.as_string()->get());
        ++index;
      }
      return out;
    }
    case KeyType::table:
      if (!node.is_table()) return wrong(node, type, sensitive);
      return node_to_json(node);
  }
  return wrong(node, type, sensitive);
}

}  // namespace autoif::config
