#include "pipeline/export/sources.h"

#include <cstdio>
#include <optional>

namespace autoif::exports {
namespace {

constexpr const char* kNotKept = "instruction no longer kept";
constexpr const char* kTruncated = "cut at max_tokens";
constexpr const char* kUnverified = "not verified yet";

// Counts a drop; returns true so the stream goes on.
auto dropper(Drops& drops) {
  return [&drops](const std::string& reason) {
    drops.add(reason);
    return true;
  };
}

// Keeps the first storage error of a nested query; returns false so the stream stops.
auto failer(std::optional<std::string>& error) {
  return [&error](const storage::StorageError& e) {
    error = e.what();
    return false;
  };
}

template <typename T>
tl::expected<void, std::string> unwrap(tl::expected<T, storage::StorageError> result) {
  if (!result) return tl::unexpected(result.error().what());
  return {};
}

// SFT and KTO: one stored response at a time.
tl::expected<void, std::string> from_responses(storage::ExportQueries& queries, const ExportRequest& request,
                                               Drops& drops, const Emit& emit) {
  const bool kto = request.format == Format::trl_kto;
  const double min_pass = request.min_pass_rate.value_or(request.run.min_pass_rate);
  const double min_score = request.min_score.value_or(request.run.min_score);
  const double failing = request.run.rejected_pass_rate;
  const std::string low_pass = "pass rate <= " + number(min_pass);
  const std::string middle = "pass rate above " + number(failing) + " and at most " + number(min_pass);
  const std::string low_score = "score below " + number(min_score) + " or unscored";
  auto drop = dropper(drops);
  drops.declare(kNotKept);
  if (request.run.drop_truncated) drops.declare(kTruncated);
  drops.declare(kto ? middle : low_pass);
  drops.declare(low_score);

  return unwrap(queries.for_each_response(request.run.source, [&](const storage::ExportResponse& r) {
    if (!r.instruction_kept) return drop(kNotKept);
    if (request.run.drop_truncated && r.truncated) return drop(kTruncated);
    if (!r.pass_rate) return drop(kUnverified);
    bool good_pass = *r.pass_rate > min_pass;
    bool good_score = r.score && *r.score >= min_score;
    if (!kto) {
      if (!good_pass) return drop(low_pass);
      if (!good_score) return drop(low_score);
      return emit({r.prompt, {r.prompt, r.text}, sft_row(request.format, r.prompt, r.text)});
    }
    // KTO: desirable = exactly the SFT rows; undesirable = responses that fail (pass rate at
    // most select.rejected_pass_rate, 0 by default), like a DPO pair's rejected side.
    if (good_pass) {
      if (!good_score) return drop(low_score);
      return emit({r.prompt, {r.prompt, r.text}, kto_row(r.prompt, r.text, true)});
    }
    if (*r.pass_rate <= failing) return emit({r.prompt, {r.prompt, r.text}, kto_row(r.prompt, r.text, false)});
    return drop(middle);
  }));
}

// DPO: the pairs the select stage stored, as they are unless a threshold is given.
tl::expected<void, std::string> from_pairs(storage::ExportQueries& queries, const ExportRequest& request,
                                           Drops& drops, const Emit& emit) {
  auto drop = dropper(drops);
  drops.declare(kNotKept);
  std::string low_pass, low_score;
  if (request.min_pass_rate) drops.declare(low_pass = "chosen pass rate <= " + number(*request.min_pass_rate));
  if (request.min_score)
    drops.declare(low_score = "query-level pair whose chosen score is below " + number(*request.min_score) +
                              " or unscored");
  return unwrap(queries.for_each_pair(request.run.source, [&](const storage::ExportPair& p) {
    if (!p.instruction_kept) return drop(kNotKept);
    if (request.min_pass_rate && !(p.chosen_pass > *request.min_pass_rate)) return drop(low_pass);
    if (request.min_score && p.kind == "query" && !(p.chosen_score && *p.chosen_score >= *request.min_score))
      return drop(low_score);
    return emit({p.prompt, {p.prompt, p.chosen, p.rejected}, pair_row(request.format, p.prompt, p.chosen, p.rejected)});
  }));
}

// rlvr: one prompt per input, with its instruction's kept functions as the ground truth.
tl::expected<void, std::string> from_inputs(storage::ExportQueries& queries, const ExportRequest& request,
                                            Drops& drops, const Emit& emit) {
  const double threshold = request.min_pass_rate.value_or(request.run.min_pass_rate);
  const char* no_functions = "instruction without kept functions";
  drops.declare(no_functions);
  auto drop = dropper(drops);
  // Inputs come grouped by instruction: its functions are read once per group.
  std::optional<std::int64_t> cached_for;
  std::vector<storage::ExportFunction> functions;
  std::optional<std::string> error;
  auto fail = failer(error);
  auto streamed = queries.for_each_input([&](const storage::ExportInput& input) {
    if (cached_for != input.instruction_id) {
      auto loaded = queries.kept_functions(input.instruction_id);
      if (!loaded) return fail(loaded.error());
      functions = std::move(*loaded);
      cached_for = input.instruction_id;
    }
    if (functions.empty()) return drop(no_functions);
    return emit({input.prompt, {input.prompt}, rlvr_row(input.prompt, input.instruction, functions, threshold)});
  });
  if (error) return tl::unexpected(*error);
  return unwrap(std::move(streamed));
}

// verifiers: one row per kept instruction.
tl::expected<void, std::string> from_instructions(storage::ExportQueries& queries, const ExportRequest&,
                                                  Drops& drops, const Emit& emit) {
  const char* empty = "instruction without kept functions or cases";
  drops.declare(empty);
  auto drop = dropper(drops);
  std::optional<std::string> error;
  auto fail = failer(error);
  auto streamed = queries.for_each_kept_instruction([&](const storage::ExportInstruction& instruction) {
    auto functions = queries.kept_functions(instruction.id);
    if (!functions) return fail(functions.error());
    auto cases = queries.kept_cases(instruction.id);
    if (!cases) return fail(cases.error());
    if (functions->empty() || cases->empty()) return drop(empty);
    Candidate candidate{instruction.text, {instruction.text}, verifiers_row(instruction.text, *functions, *cases)};
    for (const auto& c : *cases) candidate.texts.push_back(c.input);
    return emit(candidate);
  });
  if (error) return tl::unexpected(*error);
  return unwrap(std::move(streamed));
}

}  // namespace

void Drops::declare(const std::string& reason) {
  for (const auto& [name, count] : counts_)
    if (name == reason) return;
  counts_.emplace_back(reason, 0);
}

void Drops::add(const std::string& reason, std::size_t count) {
  for (auto& [name, n] : counts_)
    if (name == reason) {
      n += count;
      return;
    }
  counts_.emplace_back(reason, count);
}

std::size_t Drops::total() const {
  std::size_t total = 0;
  for (const auto& entry : counts_) total += entry.second;
  return total;
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

tl::expected<void, std::string> produce(storage::ExportQueries& queries, const ExportRequest& request, Drops& drops,
                                        const Emit& emit) {
  switch (source_of(request.format)) {
    case Source::responses: return from_responses(queries, request, drops, emit);
    case Source::pairs: return from_pairs(queries, request, drops, emit);
    case Source::inputs: return from_inputs(queries, request, drops, emit);
    case Source::instructions: return from_instructions(queries, request, drops, emit);
  }
  return {};
}

}  // namespace autoif::exports
