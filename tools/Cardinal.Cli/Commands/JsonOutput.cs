using System.Text;
using System.Text.Json;

namespace Cardinal.Cli.Commands;

/// <summary>Machine-readable output for --json: written with Utf8JsonWriter (no reflection), indented, one document.</summary>
internal static class JsonOutput
{
    public static void Write(TextWriter stdout, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        stdout.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    public static void WriteErrors(Utf8JsonWriter w, IEnumerable<ImageResult> results)
    {
        w.WriteStartArray("errors");
        foreach (var r in results.Where(r => r.Error is not null))
        {
            w.WriteStartObject();
            w.WriteString("file", r.File);
            w.WriteString("error", r.Error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteVector(Utf8JsonWriter w, string name, ReadOnlySpan<float> values)
    {
        w.WriteStartArray(name);
        foreach (float v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
