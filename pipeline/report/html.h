// Building blocks of the HTML report: escaping of untrusted text and inline SVG bar charts.
//
// Everything a model wrote is untrusted: escape_html() makes it inert text in element content
// and in quoted attribute values (& < > " ' are replaced; NUL becomes U+FFFD), so a <script>
// or an onerror= in a response shows as text and never runs.
//
// Charts are plain inline SVG with stable hooks for a DOM check (scripts/check-report):
//   <figure class="chart" id=ID data-bars=N data-orientation=horizontal|vertical
//           data-scale=L>            L: pixel length of the longest bar
//     <svg class="chart-svg"> <g class="bar" data-key=KEY data-count=COUNT>
//       <rect class="bar-rect" ...> <text class="bar-label">LABEL</text>
//       <text class="bar-value">COUNT</text> </g> ... </svg></figure>
// A bar's length (width when horizontal, height when vertical) is round(COUNT / max * L).
// Pure functions; deterministic output.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace autoif::report {

std::string escape_html(std::string_view text);

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary; `cut` tells whether it was.
std::string clip_utf8(std::string_view text, std::size_t max_bytes, bool* cut = nullptr);

std::string base64(std::string_view bytes);

struct Bar {
  std::string key;    // stable machine name (data-key)
  std::string label;  // shown next to the bar
  std::int64_t count = 0;
};

enum class Orientation { horizontal, vertical };

std::string bar_chart(const std::string& id, const std::string& title, const std::vector<Bar>& bars,
                      Orientation orientation);

}  // namespace autoif::report
