// SPDX-License-Identifier: BSL-1.0
#include "baseline.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace futon_bench {

namespace {

std::string text_of(const json_value* v) {
  return v != nullptr && v->type == json_value::kind::string ? v->text : "";
}

bool is(const json_value* v, json_value::kind kind) {
  return v != nullptr && v->type == kind;
}

}  // namespace

std::optional<results> results_from_json(const json_value& document, std::string& error) {
  if (text_of(document.member("format")) != "futon-bench results") {
    error = "not a futon-bench results.json (no \"format\": \"futon-bench results\")";
    return std::nullopt;
  }
  const json_value* points = document.member("points");
  if (!is(points, json_value::kind::array)) {
    error = "no \"points\" array";
    return std::nullopt;
  }
  results r;
  for (const auto& jp : points->items) {
    point p;
    p.scenario = text_of(jp.member("scenario"));
    p.title = text_of(jp.member("title"));
    if (const json_value* param = jp.member("param")) p.param = static_cast<int>(param->number);
    const json_value* metrics = jp.member("metrics");
    const json_value* impls = jp.member("implementations");
    if (p.scenario.empty() || !is(metrics, json_value::kind::array) ||
        !is(impls, json_value::kind::array)) {
      error = "a point without scenario, metrics or implementations";
      return std::nullopt;
    }
    for (const auto& jm : metrics->items) {
      metric m;
      m.key = text_of(jm.member("key"));
      m.title = text_of(jm.member("title"));
      m.unit = text_of(jm.member("unit"));
      m.direction = text_of(jm.member("better")) == "lower" ? better::lower : better::higher;
      const json_value* show_worst = jm.member("show_worst");
      m.show_worst = show_worst != nullptr && show_worst->boolean;
      const json_value* compared = jm.member("compared");
      m.compared = compared == nullptr || compared->boolean;
      p.metrics.push_back(std::move(m));
    }
    for (const auto& ji : impls->items) {
      const std::string name = text_of(ji.member("name"));
      const json_value* values = ji.member("values");
      if (name.empty() || !is(values, json_value::kind::object)) {
        error = "an implementation without name or values in " + p.title;
        return std::nullopt;
      }
      for (std::size_t k = 0; k < values->keys.size(); ++k) {
        for (const auto& v : values->items[k].items)
          p.add(name, values->keys[k], v.as_number());
      }
    }
    if (const json_value* notes = jp.member("notes"); is(notes, json_value::kind::array)) {
      for (const auto& n : notes->items)
        p.notes.push_back(n.text);
    }
    if (const json_value* failed = jp.member("failed")) p.failed = failed->boolean;
    r.points.push_back(std::move(p));
  }
  return r;
}

std::optional<baseline> load_baseline(const std::string& file, std::string& error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = "cannot read " + file;
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const auto document = parse_json(text.str(), error);
  if (!document) {
    error = file + ": " + error;
    return std::nullopt;
  }
  auto res = results_from_json(*document, error);
  if (!res) {
    error = file + ": " + error;
    return std::nullopt;
  }
  baseline b;
  b.file = file;
  if (const json_value* machine = document->member("machine")) {
    b.futon_commit = text_of(machine->member("futon_commit"));
  }
  if (const json_value* run = document->member("run")) {
    b.date_utc = text_of(run->member("date_utc"));
  }
  b.res = std::move(*res);
  return b;
}

std::optional<double> baseline_ratio(const point& now, const results& base, const std::string& impl,
                                     const std::string& metric, bool worst) {
  const point* then = base.find(now.scenario, now.param);
  if (then == nullptr) return std::nullopt;
  const auto a = worst ? now.worst(impl, metric) : now.median(impl, metric);
  const auto b = worst ? then->worst(impl, metric) : then->median(impl, metric);
  if (!a || !b || std::isnan(*a) || std::isnan(*b) || *b == 0) return std::nullopt;
  return *a / *b;
}

}  // namespace futon_bench
