using System.Diagnostics;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;

namespace Cardinal.Cli.Commands;

/// <summary>cardinal run: one forward pass, outputs written as .npy and summarised.</summary>
internal static class RunCommand
{
    public static int Run(CliArguments a, TextWriter stdout, TextWriter stderr)
    {
        string path = ModelFiles.Resolve(a.Single("--model"));
        int seed = a.Int("--seed", 0, 0, int.MaxValue);
        using var session = ModelFiles.Open(path, a);
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
