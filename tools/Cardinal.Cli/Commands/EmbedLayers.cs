using System.Text;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>How `embed --layer` turns a feature map into a vector: its spatial mean per channel, or the whole map flattened.</summary>
internal enum LayerPooling { Avg, None }

/// <summary>
/// `embed --layer NAME[,NAME…] [--pool avg|none] [--normalize]`: one embedding set per layer, from the same run.
/// A layer's value [C, H, W…] per image becomes C values (avg: the mean over the spatial positions) or C·H·W
/// (none); --normalize scales every vector to unit L2 length (a zero vector stays zero).
/// </summary>
internal static class EmbedLayers
{
    public static IReadOnlyList<string> Parse(CliArguments a)
    {
        var layers = a.All("--layer").SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (a.All("--layer").Count > 0 && layers.Count == 0) throw new UsageException("--layer needs a value name (see cardinal inspect --values)");
        var twice = layers.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new UsageException($"--layer names '{twice.Key}' twice");
        return layers;
    }

    public static LayerPooling Pooling(CliArguments a) => a.Single("--pool") switch
    {
        null or "avg" => LayerPooling.Avg,
        "none" => LayerPooling.None,
        string other => throw new UsageException($"option '--pool' must be avg or none, got '{other}'"),
    };

    /// <summary>One image's vector from its slice of a layer whose per-image dims are <paramref name="dims"/> ([C, spatial…]).</summary>
    public static float[] Vector(float[] slice, int[] dims, LayerPooling pooling, bool normalize)
    {
        float[] v;
        if (pooling == LayerPooling.None || dims.Length < 2) v = (float[])slice.Clone();
        else
        {
            int channels = dims[0], spatial = slice.Length / Math.Max(1, channels);
            v = new float[channels];
            for (int c = 0; c < channels; c++)
            {
                double sum = 0;
                for (int i = 0; i < spatial; i++) sum += slice[c * spatial + i];
                v[c] = (float)(sum / spatial);
            }
        }
        if (normalize) Normalize(v);
        return v;
    }

    public static void Normalize(float[] v)
    {
        double norm = Math.Sqrt(v.Sum(x => (double)x * x));
        if (norm > 0) for (int i = 0; i < v.Length; i++) v[i] = (float)(v[i] / norm);
    }

    /// <summary>emb.npy and layer "/layer1/…/Relu_output_0" → emb.layer1_..._Relu_output_0.npy: a file name any file system takes.</summary>
    public static string PathFor(string outPath, string layer)
    {
        var name = new StringBuilder();
        foreach (char ch in layer) name.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '_');
        string safe = name.ToString().Trim('_', '.');
        if (safe.Length > 100) safe = safe[^100..];
        string stem = Path.ChangeExtension(outPath, null);
        return $"{stem}.{(safe.Length == 0 ? "layer" : safe)}.npy";
    }

    public static void WriteNpy(string path, IReadOnlyList<float[]> rows)
    {
        int dim = rows[0].Length;
        var matrix = Tensor.Create(ElementType.Float32, [rows.Count, dim]);
        for (int i = 0; i < rows.Count; i++) rows[i].CopyTo(matrix.Floats.Slice(i * dim, dim));
        string temp = path + "." + Environment.ProcessId + ".tmp";
        NpyFile.Write(temp, matrix);
        File.Move(temp, path, overwrite: true);
    }
}
