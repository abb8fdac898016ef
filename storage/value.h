// Value: one SQL parameter, owned, so that rows can be queued before they are written
// (see BatchWriter). to_value() maps C++ types onto the four SQLite storage classes used
// here; std::nullopt and nullptr become NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace autoif::storage {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

inline Value to_value(std::nullptr_t) { return nullptr; }
inline Value to_value(std::nullopt_t) { return nullptr; }
inline Value to_value(Value v) { return v; }
inline Value to_value(std::string v) { return Value(std::in_place_type<std::string>, std::move(v)); }
inline Value to_value(std::string_view v) {
  return Value(std::in_place_type<std::string>, v);
}
inline Value to_value(const char* v) { return Value(std::in_place_type<std::string>, v); }

template <typename T>
  requires std::is_integral_v<T> || std::is_floating_point_v<T>
inline Value to_value(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return Value(std::in_place_type<double>, static_cast<double>(v));
  } else {
    return Value(std::in_place_type<std::int64_t>, static_cast<std::int64_t>(v));
  }
}

template <typename T>
inline Value to_value(const std::optional<T>& v) {
  if (!v) return nullptr;
  return to_value(*v);
}

}  // namespace autoif::storage
