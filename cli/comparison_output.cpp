#include "cli/comparison_output.h"

#include "cli/number_format.h"
#include "cli/text_table.h"
#include "config/bounds.h"

namespace scoville::cli {
namespace {

using costmodel::Comparison;
using costmodel::ComponentChange;
using costmodel::SweepResult;

nlohmann::json optional_number(std::optional<double> value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json component_to_json(const ComponentChange& c) {
  return nlohmann::json{{"name", c.name},
                        {"label", c.label},
                        {"unit", c.unit},
                        {"before", c.before},
                        {"after", c.after},
                        {"change", c.change()},
                        {"relative_change", optional_number(c.relative_change())}};
}

std::string render_assumptions(const Comparison& comparison) {
  if (comparison.assumptions.empty()) {
    return "";
  }
  std::string text = "\nAssumptions this result rests on:\n";
  for (const std::string& assumption : comparison.assumptions) {
    text += "  - " + assumption + "\n";
  }
  return text;
}

std::string title_of(const Comparison& comparison) {
  std::string title = comparison.kind == "customer" ? "Customer spend" : "Fleet cost";
  if (!comparison.description.empty()) title += ": " + comparison.description;
  return title;
}

std::string headline_sentence(const Comparison& comparison) {
  const ComponentChange& h = comparison.headline_component();
  return h.label + " " + format_quantity(h.before, h.unit) + " -> " +
         format_quantity(h.after, h.unit) + " " + h.unit + " (" +
         format_change(h.change(), h.unit) + ", " + format_percent(h.relative_change()) + ")";
}

std::string axis_label(const costmodel::SweepAxis& axis) { return axis.path; }

}  // namespace

nlohmann::json comparison_to_json(const Comparison& comparison) {
  nlohmann::json components = nlohmann::json::array();
  for (const ComponentChange& c : comparison.components) components.push_back(component_to_json(c));
  return nlohmann::json{{"kind", comparison.kind},
                        {"description", comparison.description},
                        {"headline", component_to_json(comparison.headline_component())},
                        {"components", components},
                        {"assumptions", comparison.assumptions}};
}

nlohmann::json sweep_to_json(const SweepResult& sweep) {
  nlohmann::json axes = nlohmann::json::array();
  for (const auto& axis : sweep.axes)
    axes.push_back({{"path", axis.path}, {"values", axis.values}});
  nlohmann::json points = nlohmann::json::array();
  for (const auto& point : sweep.points) {
    points.push_back(
        {{"coordinates", point.coordinates}, {"result", comparison_to_json(point.comparison)}});
  }
  return nlohmann::json{{"axes", axes}, {"points", points}};
}

std::string render_comparison(const Comparison& comparison, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    return to_json_text(comparison_to_json(comparison));
  }
  if (format == OutputFormat::kCsv) {
    TextTable table({"name", "label", "unit", "before", "after", "change", "relative_change"});
    for (const ComponentChange& c : comparison.components) {
      const std::optional<double> relative = c.relative_change();
      table.add_row({c.name, c.label, c.unit, exact_number(c.before), exact_number(c.after),
                     exact_number(c.change()), relative ? exact_number(*relative) : ""});
    }
    return table.to_csv();
  }

  TextTable table({"component", "unit", "before", "after", "change", "change %"});
  for (const ComponentChange& c : comparison.components) {
    table.add_row({c.label, c.unit, format_quantity(c.before, c.unit),
                   format_quantity(c.after, c.unit), format_change(c.change(), c.unit),
                   format_percent(c.relative_change())});
  }
  return title_of(comparison) + "\n\n" + table.to_text() + "\n" + headline_sentence(comparison) +
         "\n" + render_assumptions(comparison);
}

std::string render_sweep(const SweepResult& sweep, OutputFormat format) {
  if (sweep.points.empty()) {
    return "";
  }
  const Comparison& first = sweep.points.front().comparison;
  const ComponentChange& headline = first.headline_component();

  if (format == OutputFormat::kJson) {
    return to_json_text(sweep_to_json(sweep));
  }
  if (format == OutputFormat::kCsv) {
    std::vector<std::string> headers;
    for (const auto& axis : sweep.axes) headers.push_back(axis.path);
    for (const ComponentChange& c : first.components) {
      headers.push_back(c.name + ":before");
      headers.push_back(c.name + ":after");
    }
    TextTable table(headers);
    for (const auto& point : sweep.points) {
      std::vector<std::string> cells;
      for (double coordinate : point.coordinates) cells.push_back(exact_number(coordinate));
      for (const ComponentChange& c : first.components) {
        const ComponentChange* value = point.comparison.find(c.name);
        cells.push_back(value ? exact_number(value->before) : "");
        cells.push_back(value ? exact_number(value->after) : "");
      }
      table.add_row(std::move(cells));
    }
    return table.to_csv();
  }

  std::string text = title_of(first) + "\n\n";
  if (sweep.axes.size() == 1) {
    TextTable table(
        {axis_label(sweep.axes[0]), headline.label + " before", "after", "change", "change %"});
    for (const auto& point : sweep.points) {
      const ComponentChange& h = point.comparison.headline_component();
      table.add_row({config::format_number(point.coordinates[0]), format_quantity(h.before, h.unit),
                     format_quantity(h.after, h.unit), format_change(h.change(), h.unit),
                     format_percent(h.relative_change())});
    }
    text += table.to_text();
  } else {
    text += headline.label + " after the change (" + headline.unit +
            "); rows: " + sweep.axes[0].path + ", columns: " + sweep.axes[1].path + "\n\n";
    std::vector<std::string> headers = {sweep.axes[0].path + " \\ " + sweep.axes[1].path};
    for (double value : sweep.axes[1].values) headers.push_back(config::format_number(value));
    TextTable table(headers);
    const std::size_t columns = sweep.axes[1].values.size();
    for (std::size_t r = 0; r < sweep.axes[0].values.size(); ++r) {
      std::vector<std::string> cells = {config::format_number(sweep.axes[0].values[r])};
      for (std::size_t c = 0; c < columns; ++c) {
        const ComponentChange& h = sweep.points[r * columns + c].comparison.headline_component();
        cells.push_back(format_quantity(h.after, h.unit));
      }
      table.add_row(std::move(cells));
    }
    text += table.to_text();
  }
  return text + render_assumptions(first);
}

}  // namespace scoville::cli
