using System.Text.Json.Serialization;

namespace Cardinal.Serve;

public sealed record ErrorReply(string Error);
public sealed record HealthReply(string Status, string Model, int InProgress, int Capacity);
public sealed record ModelReply(string Name, string Preset, int Outputs, bool CanClassify, bool Batching, string Backend);
public sealed record EmbedReply(string Model, int Dimensions, float[] Embedding, double Ms);
public sealed record ClassScore(int Class, string Label, float Probability);
public sealed record ClassifyReply(string Model, ClassScore[] Top, double Ms);

/// <summary>Source-generated JSON for the replies (the slim builder has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ErrorReply))]
[JsonSerializable(typeof(HealthReply))]
[JsonSerializable(typeof(ModelReply))]
[JsonSerializable(typeof(EmbedReply))]
[JsonSerializable(typeof(ClassifyReply))]
public sealed partial class ServeJson : JsonSerializerContext;
