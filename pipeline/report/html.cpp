#include "pipeline/report/html.h"

#include <algorithm>
#include <cmath>

namespace autoif::report {

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\0': out += "\xEF\xBF\xBD"; break;
      default: out += c;
    }
  }
  return out;
}

std::string clip_utf8(std::string_view text, std::size_t max_bytes, bool* cut) {
  if (cut) *cut = text.size() > max_bytes;
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

std::string base64(std::string_view bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

namespace {

constexpr int kWidth = 760;

std::int64_t bar_length(std::int64_t count, std::int64_t max, int scale) {
  if (max <= 0 || count <= 0) return 0;
  return std::llround(static_cast<double>(count) / static_cast<double>(max) * scale);
}

std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + escape_html(value) + "\"";
}

std::string attr(const char* name, std::int64_t value) { return attr(name, std::to_string(value)); }

}  // namespace

std::string bar_chart(const std::string& id, const std::string& title, const std::vector<Bar>& bars,
                      Orientation orientation) {
  std::int64_t max = 0;
  for (const auto& b : bars) max = std::max(max, b.count);
  const bool horizontal = orientation == Orientation::horizontal;
  // Horizontal: label column, then the bar, then its value. Vertical: value above, label below.
  // The label column fits the longest label (about 7 px a character at 12 px), within limits.
  std::size_t longest = 0;
  for (const auto& b : bars) longest = std::max(longest, b.label.size());
  const int label_w = horizontal ? std::clamp(static_cast<int>(longest) * 7 + 16, 120, 380) : 0;
  const int row_h = 24, bar_h = 16;
  const int scale = horizontal ? kWidth - label_w - 90 : 180;
  const int n = static_cast<int>(bars.size());
  const int height = horizontal ? std::max(1, n) * row_h + 8 : scale + 60;
  const int slot = horizontal ? 0 : (n > 0 ? (kWidth - 20) / n : kWidth);

  std::string out = "<figure class=\"chart\"" + attr("id", id) + attr("data-bars", n) +
                    attr("data-orientation", horizontal ? "horizontal" : "vertical") + attr("data-scale", scale) +
                    "><figcaption>" + escape_html(title) + "</figcaption>";
  out += "<svg class=\"chart-svg\" role=\"img\"" + attr("width", kWidth) + attr("height", height) +
         attr("viewBox", "0 0 " + std::to_string(kWidth) + " " + std::to_string(height)) + ">";
  if (bars.empty()) out += "<text class=\"chart-empty\" x=\"10\" y=\"20\">nothing yet</text>";
  for (int i = 0; i < n; ++i) {
    const Bar& b = bars[static_cast<std::size_t>(i)];
    const std::int64_t len = bar_length(b.count, max, scale);
    out += "<g class=\"bar\"" + attr("data-key", b.key) + attr("data-count", b.count) + "><title>" +
           escape_html(b.label) + ": " + std::to_string(b.count) + "</title>";
    if (horizontal) {
      const int y = 4 + i * row_h;
      out += "<text class=\"bar-label\"" + attr("x", label_w - 8) + attr("y", y + 13) + " text-anchor=\"end\">" +
             escape_html(b.label) + "</text>";
      out += "<rect class=\"bar-rect\"" + attr("x", label_w) + attr("y", y) + attr("width", len) +
             attr("height", bar_h) + "></rect>";
      out += "<text class=\"bar-value\"" + attr("x", label_w + len + 6) + attr("y", y + 13) + ">" +
             std::to_string(b.count) + "</text>";
    } else {
      const int x = 10 + i * slot, w = std::max(2, slot - 6), base = scale + 24;
      out += "<rect class=\"bar-rect\"" + attr("x", x) + attr("y", base - len) + attr("width", w) +
             attr("height", len) + "></rect>";
      out += "<text class=\"bar-value\"" + attr("x", x + w / 2) + attr("y", base - len - 5) +
             " text-anchor=\"middle\">" + std::to_string(b.count) + "</text>";
      out += "<text class=\"bar-label\"" + attr("x", x + w / 2) + attr("y", base + 16) +
             " text-anchor=\"middle\">" + escape_html(b.label) + "</text>";
    }
    out += "</g>";
  }
  out += "</svg></figure>\n";
  return out;
}

}  // namespace autoif::report
