# Writes OUT: a C++ source holding every *.txt file of DIR as a byte array, looked up by the
# file's name without extension. Run at build time (see CMakeLists.txt), so editing a prompt
# rebuilds the binary.
file(GLOB files RELATIVE ${DIR} ${DIR}/*.txt)
list(SORT files)
set(body "")
set(table "")
set(index 0)
foreach(file ${files})
  file(READ ${DIR}/${file} hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "\\.txt$" "" name ${file})
  string(APPEND body "const unsigned char k${index}[] = {${bytes}0};\n")
  string(APPEND table "    {\"${name}\", {reinterpret_cast<const char*>(k${index}), ${size}}},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from prompts/*.txt by prompts/embed.cmake. Do not edit.
#include <string_view>
#include <utility>
#include \"prompts/prompts.h\"
namespace autoif::prompts {
namespace {
${body}
}  // namespace
std::span<const Entry> all() {
  static const Entry table[] = {
${table}    {\"\", {}},
  };
  return {table, sizeof table / sizeof table[0] - 1};
}
}  // namespace autoif::prompts
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
