using System.CommandLine;
using System.Reflection;
using Cardinal.Cli;
using Cardinal.Cli.CommandLine;
using Cardinal.Formats.Npy;
using Cardinal.Tensors;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Cli;

/// <summary>
/// The command line as System.CommandLine parses it: help on every verb (exit 0), --version, response files,
/// "did you mean" for misspelt commands and options, completion, NAME=path values, and the exit-code contract
/// (0 ok, 1 mismatch, 2 bad arguments, 3 internal, 4 some images unreadable) with one-line errors.
/// </summary>
[TestFixture]
public class CommandLineContractTests
{
    private string _dir = "";

    /// <summary>The verbs a user knows from the README; the tree must offer at least these.</summary>
    private static readonly string[] DocumentedVerbs =
        ["inspect", "devices", "bench", "run", "verify", "embed", "similar", "classify", "loadtest", "completion"];

    /// <summary>
    /// Every verb the tree has, nested ones as "index build", read from the tree itself so that a verb added
    /// later is covered too.
    /// </summary>
    private static IEnumerable<string> Verbs() => Walk(CardinalCommandLine.Create(), "");

    private static IEnumerable<string> Walk(Command command, string prefix) =>
        command.Subcommands.SelectMany(c => Walk(c, prefix + c.Name + " ").Prepend(prefix + c.Name));

    private static Command Find(string verb) =>
        verb.Split(' ').Aggregate((Command)CardinalCommandLine.Create(), (c, name) => c.Subcommands.Single(s => s.Name == name));

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("cardinal-cl-").FullName;
        File.WriteAllBytes(F("addrelu.onnx"), TestModels.AddRelu());
        NpyFile.Write(F("x.npy"), Tensor.FromArray(new float[] { 1, 1, 1, 1 }, 1, 4));
        NpyFile.Write(F("good.npy"), Tensor.FromArray(new float[] { 2, 0, 4, 0 }, 1, 4));
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private string F(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Run(params string[] args) => Run(CardinalCommandLine.Create(), args);

    private static (int Code, string Out, string Err) Run(RootCommand root, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cardinal.Cli.Cli.Execute(root, args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static void AssertOneLineError((int Code, string Out, string Err) r, int code)
    {
        Assert.That(r.Code, Is.EqualTo(code), r.Err);
        Assert.That(r.Err, Does.StartWith("cardinal: "));
        Assert.That(r.Err.TrimEnd().Split('\n'), Has.Length.EqualTo(1), r.Err);
    }

    [Test]
    public void TheTreeHasEveryDocumentedVerb() => Assert.That(Verbs(), Is.SupersetOf(DocumentedVerbs));

    [TestCaseSource(nameof(Verbs))]
    public void EveryVerb_Help_ExitsZeroAndListsEachOfItsOptions(string verb)
    {
        Command command = Find(verb);
        string[] words = verb.Split(' ');
        foreach (string[] args in new string[][] { [.. words, "--help"], [.. words, "-h"], ["help", .. words] })
        {
            var r = Run(args);
            Assert.That(r.Code, Is.EqualTo(0), string.Join(" ", args) + ": " + r.Err);
            Assert.That(r.Err, Is.Empty);
            // The usage line names the executable (cardinal; testhost here) and then the verb.
            Assert.That(r.Out, Does.Match($@"Usage:\s+\S+ {verb}\b"), string.Join(" ", args));
            foreach (Option option in command.Options) Assert.That(r.Out, Does.Contain(option.Name), $"{verb} --help omits {option.Name}");
        }
    }

    [Test]
    public void Help_WithOtherwiseBadArguments_StillExitsZero()
    {
        // embed needs IMAGES: asking for help is not an error.
        var r = Run("embed", "--json", "--help");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out, Does.Contain("--out"));
    }

    [Test]
    public void RootHelp_ListsTheVerbsAndTheExitCodes()
    {
        var r = Run("--help");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        foreach (string verb in DocumentedVerbs) Assert.That(r.Out, Does.Contain(verb));
        Assert.That(r.Out, Does.Contain("Exit codes").And.Contain("4  some images could not be read"));
    }

    [Test]
    public void NoArguments_PrintsTheOverviewOnStderrAndExitsTwo()
    {
        var r = Run();
        Assert.That(r.Code, Is.EqualTo(2));
        Assert.That(r.Out, Is.Empty);
        Assert.That(r.Err, Does.Contain("Usage:").And.Contain("embed"));
    }

    [Test]
    public void Version_PrintsTheAssemblysInformationalVersion()
    {
        string expected = typeof(Cardinal.Cli.Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var r = Run("--version");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out.Trim(), Is.EqualTo(expected));
        Assert.That(r.Out, Does.Match(@"^\d+\.\d+\.\d+"));
    }

    [Test]
    public void MisspeltCommand_ExitsTwoSuggestingTheVerb()
    {
        var r = Run("embd", "photo.png");
        AssertOneLineError(r, 2);
        Assert.That(r.Err, Does.Contain("unknown command 'embd'").And.Contain("did you mean 'embed'?"));
    }

    [Test]
    public void UnknownCommandWithNothingClose_ListsTheCommands()
    {
        var r = Run("frobnicate");
        AssertOneLineError(r, 2);
        Assert.That(r.Err, Does.Contain("unknown command 'frobnicate'").And.Contain("inspect, devices"));
    }

    [TestCase("embed", "--jsn", "photo.png")]   // before the positional it would otherwise be taken for
    [TestCase("embed", "photo.png", "--jsn")]
    [TestCase("bench", "--jsn")]
    public void MisspeltOption_ExitsTwoSuggestingTheOption(params string[] args)
    {
        var r = Run(args);
        AssertOneLineError(r, 2);
        Assert.That(r.Err, Does.Contain("unknown option '--jsn'").And.Contain("did you mean '--json'?"));
    }

    [Test]
    public void MisspeltOptionBeforeTwoPositionals_IsReportedAsTheOption()
    {
        var r = Run("similar", "query.png", "--tpo", "3", "photos");
        AssertOneLineError(r, 2);
        Assert.That(r.Err, Does.Contain("unknown option '--tpo'").And.Contain("'--top'"));
    }

    [TestCase("run", "--model", "a.onnx", "--model", "b.onnx")]   // a single-valued option given twice
    [TestCase("bench", "--runs")]                                  // an option without its value
    [TestCase("inspect", "a.onnx", "b.onnx")]                      // one positional too many
    [TestCase("embed")]                                            // no images
    [TestCase("completion", "tcsh")]
    public void MalformedCommandLine_ExitsTwoWithOneLine(params string[] args) => AssertOneLineError(Run(args), 2);

    [Test]
    public void NestedVerbs_MisspeltSubcommandAndMissingArgument_NameTheFullPath()
    {
        // The shape `index build|query|dups` will have: a group whose subcommands take arguments.
        RootCommand root = CardinalCommandLine.Create();
        var build = new Command("build") { new Argument<string>("DIR") };
        build.SetAction(_ => 0);
        root.Subcommands.Add(new Command("group") { build });
        var misspelt = Run(root, "group", "biuld");
        AssertOneLineError(misspelt, 2);
        Assert.That(misspelt.Err.Trim(), Is.EqualTo("cardinal: unknown command 'biuld' for 'group'; did you mean 'build'? (see 'cardinal group --help')"));
        var missing = Run(root, "group", "build");
        AssertOneLineError(missing, 2);
        Assert.That(missing.Err.Trim(), Is.EqualTo("cardinal: group build needs DIR (see 'cardinal group build --help')"));
    }

    [TestCase("option '--runs' needs a value", "bench", "--runs")]
    [TestCase("option '--input' needs a value", "run", "--input")]
    [TestCase("embed needs IMAGES", "embed", "--json")]
    [TestCase("similar needs DIR", "similar", "query.png")]
    public void MissingValue_SaysWhatIsMissing(string message, params string[] args)
    {
        var r = Run(args);
        AssertOneLineError(r, 2);
        Assert.That(r.Err, Does.StartWith($"cardinal: {message} (see 'cardinal {args[0]} --help')"));
    }

    [Test]
    public void Switch_BeforeAPositional_LeavesItToThePositional()
    {
        // --json takes an optional true/false; the image after it is still an image (missing: exit 4, named in the JSON).
        var r = Run("embed", "--json", F("missing.png"), "--threads", "1");
        Assert.That(r.Code, Is.EqualTo(4), r.Err);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out);
        Assert.That(doc.RootElement.GetProperty("errors")[0].GetProperty("file").GetString(), Is.EqualTo(F("missing.png")));
    }

    [Test]
    public void ResponseFile_ExpandsIntoTheArguments()
    {
        // Several arguments to a line, a quoted one with a space, and a comment line.
        Directory.CreateDirectory(F("with space"));
        File.WriteAllLines(F("run.rsp"), ["run", "# the model and its input", $"--model {F("addrelu.onnx")}", $"--input X={F("x.npy")}",
            $"--output \"Y={F("with space/y.npy")}\"", "--threads 1"]);
        var r = Run("@" + F("run.rsp"));
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(NpyFile.Read(F("with space/y.npy")).Floats.ToArray(), Is.EqualTo(new float[] { 2, 0, 4, 0 }));
    }

    [Test]
    public void ResponseFile_Missing_ExitsTwoNamingIt()
    {
        var r = Run("run", "@" + F("absent.rsp"));
        AssertOneLineError(r, 2);
        Assert.That(r.Err, Does.Contain("absent.rsp"));
    }

    [Test]
    public void NamedValues_InEitherSpelling_BindToTheModelsNames()
    {
        // --flag=NAME=path and --flag NAME=path: the value is split at the first '=' of the flag only.
        var r = Run("verify", "--model", F("addrelu.onnx"), $"--input=X={F("x.npy")}", "--expected", $"Y={F("good.npy")}", "--threads", "1");
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out, Does.StartWith("ok   Y:"));
    }

    [Test]
    public void DoubleDash_LetsAFileNameStartingWithADashThrough()
    {
        var r = Run("embed", "--", "-not-an-option.png");
        // The file does not exist: the image job reports it (exit 4), not the parser (exit 2).
        Assert.That(r.Code, Is.EqualTo(4), r.Err);
        Assert.That(r.Err, Does.Contain("-not-an-option.png"));
    }

    [Test]
    public void Completion_SuggestsVerbsOptionsAndDeviceNames()
    {
        static string[] Suggest(string line) => Run($"[suggest:{line.Length}]", line).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(Suggest("cardinal cl"), Is.EqualTo(new[] { "classify" }));
        Assert.That(Suggest("cardinal run --th"), Is.EqualTo(new[] { "--threads" }));
        Assert.That(Suggest("cardinal run --device "), Is.SupersetOf(new[] { "cpu", "cuda", "opencl", "ilgpu-cpu", "auto" }));
        Assert.That(Suggest("cardinal embed --preset i"), Is.EqualTo(new[] { "imagenet" }));
    }

    [TestCase("bash", "complete -o default -F _cardinal_complete cardinal")]
    [TestCase("zsh", "compdef _cardinal_complete cardinal")]
    [TestCase("pwsh", "Register-ArgumentCompleter -Native -CommandName cardinal")]
    public void CompletionScript_CallsTheSuggestDirective(string shell, string registration)
    {
        var r = Run("completion", shell);
        Assert.That(r.Code, Is.EqualTo(0), r.Err);
        Assert.That(r.Out, Does.Contain(registration).And.Contain("[suggest:"));
    }

    [Test]
    public void BashCompletion_CompletesInARealBash()
    {
        // Every Debian install has bash; a machine without it (a slim container) has no bash completion to test.
        string bash = References.Require("/bin/bash", "the bash completion script needs a real bash to run in");
        File.WriteAllText(F("complete.sh"),
            Run("completion", "bash").Out + """
            COMP_LINE="cardinal run --device op"; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(cardinal run --device op); COMP_CWORD=3
            _cardinal_complete; echo "${COMPREPLY[@]}"
            """);
        // COMP_WORDS[0] is the command the script calls back: a stand-in that runs this build's cardinal.dll.
        string cardinal = Path.Combine(AppContext.BaseDirectory, "cardinal.dll");
        File.WriteAllText(F("cardinal"), $"#!/bin/sh\nexec dotnet \"{cardinal}\" \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(F("cardinal"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var psi = new System.Diagnostics.ProcessStartInfo(bash, [F("complete.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["PATH"] = _dir + ":" + Environment.GetEnvironmentVariable("PATH");
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        Assert.That(p.WaitForExit(60_000), Is.True, "bash did not finish");
        Assert.That(output.Trim(), Is.EqualTo("opencl"), error);
    }

    [Test]
    public void VerbThatThrowsAnUnexpectedException_ExitsThreeWithOneLine()
    {
        RootCommand root = CardinalCommandLine.Create();
        var explode = new Command("explode");
        Func<ParseResult, int> bug = _ => throw new InvalidOperationException("a bug\nover two lines");
        explode.SetAction(bug);
        root.Subcommands.Add(explode);
        var r = Run(root, "explode");
        AssertOneLineError(r, 3);
        Assert.That(r.Err.Trim(), Is.EqualTo("cardinal: internal error: InvalidOperationException: a bug over two lines"));
    }

    [Test]
    public void ExitCodes_AreTheDocumentedOnes()
    {
        Assert.That(new[] { Cardinal.Cli.Cli.Ok, Cardinal.Cli.Cli.Mismatch, Cardinal.Cli.Cli.BadInput, Cardinal.Cli.Cli.InternalError, Cardinal.Cli.Cli.SomeImagesFailed },
            Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
    }
}
