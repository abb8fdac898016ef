#include <array>

#include "pipeline/cli/commands.h"

namespace autoif::cli {

std::span<const Command> commands() {
  static const std::array table{
      init_command(),
      run_command(),
      export_command(),
      status_command(),
      report_command(),
      sandbox_command(),
      stub_llm_command(),
      crossval_command(),
      verify_command(),
  };
  return table;
}

}  // namespace autoif::cli
