using Cardinal.Tensors;
using Cardinal.Formats.Onnx;
using Cardinal.Graph;
using Cardinal.Planning;

namespace Cardinal.Cli.Commands;

/// <summary>
/// cardinal inspect [MODEL] [--batch B] [--values]: what a model declares, and the plan Cardinal makes for it (at batch B
/// when the batch dimension is symbolic); --values lists every value with its shape.
/// </summary>
internal static class InspectCommand
{
    public static int Run(CliArguments a, TextWriter stdout)
    {
        string path = ModelFiles.Resolve(a.Positionals.FirstOrDefault());
        int batch = a.Int("--batch", 1, 1, 4096);
        OnnxModel onnx = OnnxModel.Load(path);
        ModelGraph graph = OnnxImporter.ToGraph(onnx);
        using var session = InferenceSession.Open(graph, Backends.Create(ModelFiles.Choice(a)));

        stdout.WriteLine($"model      {path}");
        stdout.WriteLine($"producer   {onnx.ProducerName} {onnx.ProducerVersion}".TrimEnd());
        stdout.WriteLine($"ir         {onnx.IrVersion}; opsets {string.Join(", ", onnx.OpsetImports.Select(o => $"{(o.Domain.Length == 0 ? "ai.onnx" : o.Domain)}:{o.Version}"))}");
        if (onnx.Domain.Length > 0 || onnx.ModelVersion != 0) stdout.WriteLine($"domain     {(onnx.Domain.Length > 0 ? onnx.Domain : "(none)")}, model version {onnx.ModelVersion}");
        if (onnx.DocString.Length > 0) stdout.WriteLine($"doc        {Shorten(onnx.DocString)}");
        if (onnx.MetadataProps.Count > 0)
        {
            stdout.WriteLine("metadata");
            foreach (var (key, value) in onnx.MetadataProps.OrderBy(p => p.Key, StringComparer.Ordinal)) stdout.WriteLine($"  {key} = {Shorten(value)}");
        }
        if (ClassifierMetadata.Labels(onnx) is string[] labels)
            stdout.WriteLine($"head       classifier over {labels.Length} classes ({Shorten(string.Join(", ", labels))}), preset {ClassifierMetadata.Preset(onnx.MetadataProps) ?? "(none stated)"}");
        stdout.WriteLine($"backend    {session.Backend.Description}");
        stdout.WriteLine("inputs");
        foreach (TensorInfo i in session.Inputs) stdout.WriteLine($"  {i}");
        stdout.WriteLine("outputs");
        foreach (TensorInfo o in session.Outputs) stdout.WriteLine($"  {o}");
        stdout.WriteLine("operators");
        foreach (var (op, count) in graph.SourceOpHistogram.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            stdout.WriteLine($"  {op,-22}{count,6}");
        stdout.WriteLine($"parameters {graph.ParameterCount:N0} ({graph.Initializers.Values.Sum(t => (long)t.Length * t.ElementType.SizeInBytes()) / 1048576.0:F1} MiB)");

        if (session.Inputs.All(i => i.Dims is not null && i.ElementType == Tensors.ElementType.Float32))
        {
            var shapes = session.Inputs.Select(i => i.Dims!.Select((d, at) => d.Size ?? (at == 0 ? batch : 1)).ToArray()).ToList();
            bool symbolic = session.Inputs.Any(i => i.Dims!.Skip(1).Any(d => !d.IsFixed)) || (batch == 1 && session.Inputs.Any(i => i.Dims!.Count > 0 && !i.Dims[0].IsFixed));
            ExecutionPlan plan = session.PlanForShapes(shapes);
            stdout.WriteLine($"flops      {plan.Flops / 1e9:F3} GFLOP per run at {string.Join(" ", shapes.Select(s => "[" + string.Join(",", s) + "]"))}"
                + (symbolic ? " (symbolic dimensions taken as 1)" : ""));
            if (DepthFirst(plan) is var (parts, perPart))
            {
                int lanes = ConcurrentRegion.Find(plan).Select(r => r.Lanes).DefaultIfEmpty(0).Max();
                string sideBySide = lanes > 1 ? $"; the parts side by side, {lanes} at a time (one thread each)" : "";
                stdout.WriteLine($"schedule   depth first: the first {perPart} steps one part at a time ({parts} parts), the rest on the whole batch{sideBySide}");
            }
            stdout.WriteLine($"plan       {plan.Steps.Count} steps after constant folding{(session.Options.Fuse ? " and fusion" : "")} ({graph.Nodes.Count} nodes imported)");
            // Fused convolutions show what they absorbed: Conv+Relu, Conv+Add+Relu (BatchNorm is folded into the weights).
            // Each line names what the compiled plan runs for those steps (no re-derivation here) and the most
            // workspace one of them borrows; the run context holds one workspace, the largest step's.
            ICompiledPlan compiled = session.CompiledPlanFor(shapes);
            long Flops(int s) => plan.Steps[s].Node.Op.Flops(plan.InputsOf(plan.Steps[s]), plan.OutputsOf(plan.Steps[s]));
            foreach (var group in Enumerable.Range(0, plan.Steps.Count)
                         .GroupBy(s => (Op: OpName(plan.Steps[s].Node.Op), Algorithm: compiled.DescribeStep(s)))
                         .OrderByDescending(g => g.Sum(Flops)))
            {
                long workspace = group.Max(compiled.StepWorkspaceBytes);
                string scratch = workspace == 0 ? "" : $"{workspace / 1024.0,9:F0} KiB";
                stdout.WriteLine($"  {group.Key.Op,-22}{group.Count(),6}  {group.Sum(Flops) / 1e9,9:F3} GFLOP  {scratch,13}  {group.Key.Algorithm}".TrimEnd());
            }
            if (compiled.ContextBytes > 0)
                stdout.WriteLine($"memory     {compiled.ContextBytes / 1048576.0:F1} MiB per run context (value buffers, the largest step's workspace and each extra lane's)");
        }
        else stdout.WriteLine("flops      (the model has non-float inputs whose values decide shapes: plan made at run time)");
        if (a.Has("--values")) WriteValues(graph, session, stdout);
        return Cli.Ok;
    }

    /// <summary>The depth-first prefix of a plan (Passes.DepthFirstPrefix): its parts and the steps each runs, or null.</summary>
    private static (int Parts, int StepsPerPart)? DepthFirst(ExecutionPlan plan)
    {
        int split = plan.Steps.ToList().FindIndex(s => s.Node.Name == Passes.DepthFirstPrefix.SplitName);
        int concat = plan.Steps.ToList().FindIndex(s => s.Node.Name == Passes.DepthFirstPrefix.ConcatName);
        if (split < 0 || concat < split) return null;
        int parts = plan.Steps[split].Outputs.Length;
        return (parts, (concat - split - 1) / parts);
    }

    /// <summary>
    /// Every value of the graph as imported (before fusion), with its type and shape at the model's input shape
    /// (symbolic dimensions as 1): the names `run --output NAME=…` and `embed --layer` accept.
    /// </summary>
    private static void WriteValues(ModelGraph graph, InferenceSession session, TextWriter stdout)
    {
        if (!session.Inputs.All(i => i.Dims is not null && i.ElementType == Tensors.ElementType.Float32))
        {
            stdout.WriteLine("values     (shapes depend on non-float input values: listed without shapes)");
            foreach (var node in graph.Nodes) foreach (string o in node.Outputs.Where(o => o.Length > 0)) stdout.WriteLine($"  {o}  ({node.OpType})");
            return;
        }
        var inputs = session.Inputs.Select(i => new SpecializedInput(i.Dims!.Select(d => d.Size ?? 1).ToArray(), null)).ToArray();
        ExecutionPlan plan = Planner.Plan(graph, inputs, session.Backend);
        var byName = plan.Values.ToDictionary(v => v.Name, StringComparer.Ordinal);
        int count = graph.Inputs.Count + graph.Nodes.Sum(n => n.Outputs.Count(o => o.Length > 0));
        stdout.WriteLine($"values     {count} (inputs and node outputs, before fusion, at the input shape above)");
        foreach (var input in graph.Inputs) stdout.WriteLine($"  {input.Name}  {byName[input.Name].ElementType.Name()}{TensorShape.Format(byName[input.Name].Dims)}  (input)");
        foreach (var node in graph.Nodes)
            foreach (string o in node.Outputs.Where(o => o.Length > 0))
            {
                string shape = byName.TryGetValue(o, out var v) ? v.ElementType.Name() + TensorShape.Format(v.Dims) : "(unused)";
                stdout.WriteLine($"  {o}  {shape}  ({node.OpType}{(v is { IsConstant: true } ? ", constant" : "")})");
            }
    }

    /// <summary>One line of at most 120 characters, for free text from the file.</summary>
    private static string Shorten(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length <= 120 ? line : line[..117] + "…";
    }

    /// <summary>The operator as the model names it, with what fusion folded into a convolution; the layout shows in the algorithm column.</summary>
    private static string OpName(Cardinal.Graph.Operator op) => op switch
    {
        Cardinal.Graph.Ops.ConvOp c => "Conv" + c.Epilogue,
        Cardinal.Graph.Ops.BlockedConvOp b => "Conv" + b.Conv.Epilogue,
        Cardinal.Graph.Ops.BlockedMaxPoolOp => "MaxPool",
        Cardinal.Graph.Ops.BlockedGlobalAveragePoolOp => "GlobalAveragePool",
        _ => op.OpType,
    };
}
