using System.Diagnostics;
using Cardinal.Formats.Npy;
using Cardinal.Formats.Onnx;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>cardinal run: one forward pass, outputs (or any value named with --output NAME=file) written as .npy and summarised.</summary>
internal static class RunCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr)
    {
        string path = ModelFiles.Resolve(a.Single("--model"));
        int seed = a.Int("--seed", 0, 0, int.MaxValue);
        // --output NAME=file may name any value of the graph: names that are not declared outputs are read out
        // as extra outputs (SessionOptions.ExtraOutputs), which the passes keep materialised.
        var graph = OnnxImporter.Load(path);
        var valueNames = graph.Nodes.SelectMany(n => n.Outputs).Concat(graph.Inputs.Select(i => i.Name)).Concat(graph.Initializers.Keys)
            .Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        var extra = CliArguments.Named(a.All("--output"), valueNames).Where(p => p.Name is not null && graph.Outputs.All(o => o.Name != p.Name))
            .Select(p => p.Name!).Distinct().ToList();
        using var session = InferenceSession.Open(graph, Backends.Create(ModelFiles.Choice(a)), new SessionOptions { ExtraOutputs = extra }, ownsGraph: true);
        var outputFiles = ModelFiles.Bind(a.All("--output"), session.Outputs, "--output");

        Dictionary<string, Tensor> inputs;
        if (a.All("--input").Count == 0 && session.Inputs.Count == 0) inputs = [];
        else if (a.All("--input").Count == 0)
        {
            inputs = session.Inputs.ToDictionary(i => i.Name, i => ModelFiles.RandomInput(i, seed));
            stderr.WriteLine($"cardinal: no --input given; using a seeded standard-normal input (seed {seed})");
        }
        else inputs = ModelFiles.ReadInputs(a.All("--input"), session);

        var clock = Stopwatch.StartNew();
        var outputs = session.Run(inputs);
        clock.Stop();
        stdout.WriteLine($"model    {path}");
        stdout.WriteLine($"backend  {session.Backend.Description}");
        stdout.WriteLine($"time     {clock.Elapsed.TotalMilliseconds:F1} ms (first run, including planning)");
        foreach (var (name, tensor) in outputs)
        {
            string preview = tensor.ElementType == ElementType.Float32
                ? string.Join(" ", tensor.Floats[..Math.Min(5, tensor.Length)].ToArray().Select(v => v.ToString("G5")))
                : string.Join(" ", tensor.ToInt64Array().Take(5));
            stdout.WriteLine($"output   {name}: {tensor}  [{preview}{(tensor.Length > 5 ? " …" : "")}]");
            if (outputFiles.TryGetValue(name, out string? file))
            {
                NpyFile.Write(file, tensor);
                stdout.WriteLine($"wrote    {file}");
            }
        }
        return Cli.Ok;
    }
}
