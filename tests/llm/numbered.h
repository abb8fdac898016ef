// "p" + std::to_string(i) without operator+(const char*, std::string&&), which trips GCC 12's
// false -Wrestrict warning (GCC bug 105329) once inlined into a test.
#pragma once

#include <string>

namespace autoif::llm::testing {

template <typename Number>
std::string numbered(std::string prefix, Number number) {
  prefix += std::to_string(number);
  return prefix;
}

}  // namespace autoif::llm::testing
