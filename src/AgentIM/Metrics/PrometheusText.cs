using System.Globalization;
using System.Text;

namespace AgentIM.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4 by hand: one HELP and one TYPE line per family before its
/// samples, label values escaped, numbers culture-invariant (so "0.005", never "5E-03" or "0,005").
/// </summary>
public sealed class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(4096);

    public PrometheusText Family(string name, string type, string help)
    {
        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    public PrometheusText Sample(string name, double value, params (string Name, string Value)[] labels)
    {
        _text.Append(name);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(',');
                }

                _text.Append(labels[i].Name).Append("=\"").Append(EscapeLabel(labels[i].Value)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    /// <summary>The _bucket, _sum and _count samples of one labelled histogram; call <see cref="Family"/> first.</summary>
    public PrometheusText Histogram(string name, Histogram histogram, params (string Name, string Value)[] labels)
    {
        var (cumulative, count, sum) = histogram.Snapshot();
        for (var i = 0; i < cumulative.Length; i++)
        {
            var le = i < histogram.Bounds.Count ? Format(histogram.Bounds[i]) : "+Inf";
            Sample($"{name}_bucket", cumulative[i], [.. labels, ("le", le)]);
        }

        Sample($"{name}_sum", sum, labels);
        return Sample($"{name}_count", count, labels);
    }

    /// <summary>One family with one unlabelled sample.</summary>
    public PrometheusText Single(string name, string type, string help, double value) => Family(name, type, help).Sample(name, value);

    public override string ToString() => _text.ToString();

    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ when value == Math.Floor(value) && Math.Abs(value) < 1e15 => ((long)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString("0.############", CultureInfo.InvariantCulture),
    };

    public static string EscapeLabel(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
