using System.Text;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;

namespace Cardinal.Formats.Vectors;

/// <summary>
/// The shard files a streaming embed writes into its output folder, shard i being
/// <c>part-0000i.npy</c> ([rows, D] float32, the images that loaded, in input order),
/// <c>part-0000i.files.txt</c> (their paths, one a line, same order) and <c>part-0000i.errors.txt</c> (one line
/// per image that failed, "path TAB reason"; possibly empty). Each is written under a temporary name and renamed; the .npy is
/// renamed last, so its presence marks a finished shard.
/// </summary>
public static class EmbeddingShards
{
    /// <summary>Shard file names start with this.</summary>
    public const string Prefix = "part-";

    internal static string Name(int index) => $"{Prefix}{index:D5}";
    internal static string VectorsPath(string folder, int index) => Path.Combine(folder, Name(index) + ".npy");
    internal static string FilesPath(string folder, int index) => Path.Combine(folder, Name(index) + ".files.txt");
    internal static string ErrorsPath(string folder, int index) => Path.Combine(folder, Name(index) + ".errors.txt");

    /// <summary>The key list beside a vectors file: emb.npy → emb.files.txt, part-00003.npy → part-00003.files.txt.</summary>
    internal static string FilesPathFor(string npyPath) => Path.ChangeExtension(npyPath, ".files.txt");

    internal static bool IsComplete(string folder, int index) =>
        File.Exists(VectorsPath(folder, index)) && File.Exists(FilesPath(folder, index)) && File.Exists(ErrorsPath(folder, index));

    /// <summary>
    /// Writes shard <paramref name="index"/>: <paramref name="rows"/> holds files.Count × dim floats. A shard
    /// where every image failed has no dimension to give and is written as a [0, 0] array.
    /// </summary>
    internal static void Write(string folder, int index, ReadOnlySpan<float> rows, int dim, IReadOnlyList<string> files, IReadOnlyList<(string File, string Error)> errors)
    {
        if ((long)files.Count * dim != rows.Length) throw new ArgumentException($"{files.Count} files × {dim} needs {(long)files.Count * dim} floats; {rows.Length} given.");
        foreach (string f in files)
            if (f.Contains('\n') || f.Contains('\r')) throw new VectorFormatException($"{f}: a file name with a line break cannot be listed in {Name(index)}.files.txt.");
        // A silo killed while it wrote this shard left its temporaries; this process now writes the shard again.
        AtomicFile.CleanStaleTemporaries(folder, Name(index) + ".");
        AtomicFile.WriteText(ErrorsPath(folder, index), string.Concat(errors.Select(e => e.File + "\t" + OneLine(e.Error) + "\n")));
        AtomicFile.WriteText(FilesPath(folder, index), string.Concat(files.Select(f => f + "\n")));
        var matrix = Tensor.Create(ElementType.Float32, files.Count == 0 ? [0, 0] : [files.Count, dim]);
        rows.CopyTo(matrix.Floats);
        AtomicFile.Write(VectorsPath(folder, index), s => NpyFile.Write(s, matrix));
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Replace('\t', ' ');

    /// <summary>The failures recorded with a finished shard, as (file, reason).</summary>
    public static IReadOnlyList<(string File, string Error)> ReadErrors(string folder, int index) =>
        File.ReadAllLines(ErrorsPath(folder, index), Encoding.UTF8).Where(l => l.Length > 0)
            .Select(l => l.LastIndexOf('\t') is int tab and >= 0 ? (l[..tab], l[(tab + 1)..]) : ("", l)).ToList();

    /// <summary>A vectors file and its key list, checked to agree: one key per row, no empty key.</summary>
    public static (Tensor Vectors, string[] Keys) Read(string npyPath)
    {
        Tensor vectors = NpyFile.Read(npyPath);
        if (vectors.ElementType != ElementType.Float32 || vectors.Rank != 2)
            throw new VectorFormatException($"{npyPath}: expected a [rows, D] float32 array, got {vectors.ElementType.Name()}[{string.Join(", ", vectors.Shape())}].");
        string list = FilesPathFor(npyPath);
        if (!File.Exists(list)) throw new VectorFormatException($"{npyPath}: its key list {list} is missing.");
        string[] keys = File.ReadAllLines(list, Encoding.UTF8);
        if (keys.Length != vectors.Dims[0])
            throw new VectorFormatException($"{npyPath}: {vectors.Dims[0]} rows but {keys.Length} names in {list}.");
        if (keys.Any(k => k.Length == 0)) throw new VectorFormatException($"{list}: an empty name.");
        return (vectors, keys);
    }

    /// <summary>Vectors files named by arguments: a folder gives its part-*.npy in order, a file itself.</summary>
    public static List<string> Expand(IEnumerable<string> arguments)
    {
        var result = new List<string>();
        foreach (string a in arguments)
        {
            if (Directory.Exists(a))
            {
                var parts = Directory.EnumerateFiles(a, Prefix + "*.npy").Order(StringComparer.Ordinal).ToList();
                if (parts.Count == 0) throw new VectorFormatException($"{a}: no {Prefix}*.npy shards in this folder.");
                result.AddRange(parts);
            }
            else if (File.Exists(a)) result.Add(a);
            else throw new VectorFormatException($"{a}: no such file or folder.");
        }
        return result;
    }
}
