// One accessor per subcommand; each lives in its own cmd_*.cpp file.
#pragma once

#include "pipeline/cli/command.h"

namespace autoif::cli {

Command init_command();
Command sandbox_command();
Command stub_llm_command();
Command crossval_command();
Command verify_command();
Command run_command();
Command export_command();
Command status_command();
Command report_command();

}  // namespace autoif::cli
