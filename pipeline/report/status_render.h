// The two faces of `autoif status`: one JSON object for programs, a table for people.
//
// Contract: pure and deterministic (same RunStatus, same bytes); keys keep a fixed order. The
// JSON shape is documented in `autoif status --help` (pipeline/cli/cmd_status.cpp); change
// both together.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "pipeline/report/status.h"

namespace autoif::report {

nlohmann::ordered_json status_json(const RunStatus& status);
std::string status_text(const RunStatus& status);

// Calls and tokens summed per stage (over models), in the order call_usage gives stages.
std::vector<storage::CallUsage> usage_by_stage(const std::vector<storage::CallUsage>& usage);

}  // namespace autoif::report
