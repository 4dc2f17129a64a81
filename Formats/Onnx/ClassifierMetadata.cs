using System.Text.Json;

namespace Cardinal.Formats.Onnx;

/// <summary>
/// What a classifier exported by `cardinal fit` says about itself in metadata_props, so that a model file is
/// all a user needs: "cardinal.labels" (a JSON array of the class names, in output order) and
/// "cardinal.preset" (the preprocessing preset its embeddings were made with).
/// </summary>
public static class ClassifierMetadata
{
    /// <summary>The metadata key of the class labels (a JSON array of strings).</summary>
    public const string LabelsKey = "cardinal.labels";
    /// <summary>The metadata key of the preprocessing preset's name.</summary>
    public const string PresetKey = "cardinal.preset";
    /// <summary>How the head was made (free text for people: "linear probe, λ …, trained on …").</summary>
    public const string HeadKey = "cardinal.head";

    /// <summary>The labels as the JSON array stored under <see cref="LabelsKey"/>.</summary>
    public static string EncodeLabels(IReadOnlyList<string> labels) => JsonSerializer.Serialize(labels, ClassifierMetadataJson.Default.IReadOnlyListString);

    /// <summary>The labels the model states, or null when it states none; a malformed list is an error, never ignored.</summary>
    public static string[]? Labels(OnnxModel model) => Labels(model.MetadataProps, model.Source);

    /// <summary>The labels stored in <paramref name="metadata"/>, or null; refuses a malformed value, naming <paramref name="source"/>.</summary>
    public static string[]? Labels(IReadOnlyDictionary<string, string> metadata, string source)
    {
        if (!metadata.TryGetValue(LabelsKey, out string? json)) return null;
        string[]? labels;
        try { labels = JsonSerializer.Deserialize(json, ClassifierMetadataJson.Default.StringArray); }
        catch (JsonException e) { throw new ModelFormatException($"{source}: metadata '{LabelsKey}' is not a JSON array of strings ({e.Message})."); }
        if (labels is null || labels.Any(l => l is null)) throw new ModelFormatException($"{source}: metadata '{LabelsKey}' is not a JSON array of strings.");
        return labels;
    }

    /// <summary>The preset name stored in <paramref name="metadata"/>, or null.</summary>
    public static string? Preset(IReadOnlyDictionary<string, string> metadata) => metadata.TryGetValue(PresetKey, out string? p) && p.Length > 0 ? p : null;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class ClassifierMetadataJson : System.Text.Json.Serialization.JsonSerializerContext;
