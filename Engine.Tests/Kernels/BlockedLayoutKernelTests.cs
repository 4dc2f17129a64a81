using Cardinal.Graph;
using Cardinal.Graph.Ops;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Reference;
using Cardinal.Kernels.Cpu.Threading;
using ElementType = Cardinal.Tensors.ElementType;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// The NCHW ↔ channel-blocked reorders (<see cref="Reorder"/>) against their twin (<see cref="ReorderReference"/>):
/// to-blocked then from-blocked is the identity, the padded lanes are zero, and neither writes past its output.
/// </summary>
[TestFixture]
public class BlockedLayoutKernelTests
{
    private const int Guard = 17;
    private static readonly int[] ChannelCounts = [1, 3, 13, 16, 17, 33];
    private ParallelRunner _parallel = null!;

    [OneTimeSetUp] public void Start() => _parallel = new ParallelRunner(2);
    [OneTimeTearDown] public void Stop() => _parallel.Dispose();

    /// <summary>Spatial shapes per rank: size 1, small odd sizes, and one above the kernel's 64-pixel tile.</summary>
    private static int[][] SpatialShapes(int rank) => rank switch
    {
        1 => [[1], [7], [130]],
        2 => [[1, 1], [3, 5], [9, 11], [67, 131]], // 8,777 pixels: three parallel runs of 4,096, the last one short
        _ => [[1, 1, 1], [2, 3, 5], [3, 5, 7]],
    };

    /// <summary>NaN everywhere, so an element the kernel forgets to write shows, and a NaN guard tail past the end.</summary>
    private static float[] Sentinel(int length) => Enumerable.Repeat(float.NaN, length + Guard).ToArray();

    [Test]
    public void Reorder_EveryBlockChannelAndSpatialShape_RoundTripsAndMatchesTwin([Values(3, 4, 8, 16)] int block, [Values(1, 2, 3)] int spatialRank)
    {
        foreach (int channels in ChannelCounts)
            foreach (int[] shape in SpatialShapes(spatialRank))
                for (int batch = 1; batch <= 3; batch++)
                {
                    string name = $"block {block}, N={batch}, C={channels}, spatial [{string.Join(",", shape)}]";
                    int spatial = shape.Aggregate(1, (a, b) => a * b), padded = BlockedLayout.PaddedChannels(channels, block);
                    int plainLength = batch * channels * spatial, blockedLength = batch * padded * spatial;
                    float[] x = TestUtilities.TestModels.RandomData(plainLength, name.GetHashCode());

                    float[] blocked = Sentinel(blockedLength), expected = Sentinel(blockedLength);
                    Reorder.ToBlocked(x.AsSpan(0, plainLength), blocked.AsSpan(0, blockedLength), batch, channels, spatial, block, _parallel);
                    ReorderReference.ToBlocked(x, expected, batch, channels, spatial, block);
                    AssertGuard(blocked, blockedLength, $"{name}, to blocked");
                    Assert.That(blocked, Is.EqualTo(expected), $"{name}: to blocked against the twin");
                    for (int n = 0; n < batch; n++)
                        for (int c = channels; c < padded; c++)
                            for (int s = 0; s < spatial; s++)
                            {
                                int index = ((n * (padded / block) + c / block) * spatial + s) * block + c % block;
                                if (blocked[index] != 0f || float.IsNegative(blocked[index]))
                                    Assert.Fail($"{name}: padded lane n={n} c={c} s={s} (index {index}) holds {blocked[index]}, not +0");
                            }

                    // The padded lanes are never read back: NaN there must not reach the plain output.
                    float[] poisoned = (float[])blocked.Clone();
                    for (int i = 0; i < blockedLength; i++) if ((i % block) + (i / (spatial * block) % (padded / block)) * block >= channels) poisoned[i] = float.NaN;
                    float[] plain = Sentinel(plainLength), plainExpected = Sentinel(plainLength);
                    Reorder.FromBlocked(poisoned.AsSpan(0, blockedLength), plain.AsSpan(0, plainLength), batch, channels, padded, spatial, block, _parallel);
                    ReorderReference.FromBlocked(blocked, plainExpected, batch, channels, padded, spatial, block);
                    AssertGuard(plain, plainLength, $"{name}, from blocked");
                    Assert.That(plain.AsSpan(0, plainLength).ToArray(), Is.EqualTo(x), $"{name}: to blocked then from blocked is the identity");
                    Assert.That(plainExpected.AsSpan(0, plainLength).ToArray(), Is.EqualTo(x), $"{name}: the twin's round trip is the identity");
                }
    }

    [Test]
    public void Reorder_BuffersTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => Reorder.ToBlocked(new float[3 * 4], new float[15 * 4], 1, 3, 4, 16, _parallel));
        Assert.Throws<ArgumentException>(() => Reorder.FromBlocked(new float[16 * 4], new float[3 * 4], 1, 3, 12, 4, 8, _parallel), "12 is not a multiple of 8");
        Assert.Throws<ArgumentOutOfRangeException>(() => Reorder.ToBlocked(new float[4], new float[4], 1, 1, 4, 0, _parallel));
    }

    private static void AssertGuard(float[] buffer, int length, string context)
    {
        for (int i = length; i < buffer.Length; i++)
            if (!float.IsNaN(buffer[i])) Assert.Fail($"{context}: wrote past the output at {i} (length {length})");
    }

    private static ValueInfo[] Input(params int[] dims) => [new ValueInfo("x", ElementType.Float32, dims)];
    private static Node NodeOf(Operator op) => new("reorder", op, ["x"], ["y"], 0);

    [TestCase(16, new[] { 2, 3, 7 }, new[] { 2, 16, 7 })]
    [TestCase(8, new[] { 1, 17, 5, 5 }, new[] { 1, 24, 5, 5 })]
    [TestCase(3, new[] { 3, 13, 1, 2, 2 }, new[] { 3, 15, 1, 2, 2 })]
    [TestCase(4, new[] { 1, 16, 1, 1 }, new[] { 1, 16, 1, 1 })]
    public void ReorderOps_Infer_CarryPaddedChannelsAndBack(int block, int[] dims, int[] blockedDims)
    {
        var to = new ReorderToBlockedOp(block);
        TensorType[] t = to.Infer(NodeOf(to), Input(dims));
        Assert.That(t[0].Dims, Is.EqualTo(blockedDims));
        var from = new ReorderFromBlockedOp(block, dims[1]);
        Assert.That(from.Infer(NodeOf(from), Input(blockedDims))[0].Dims, Is.EqualTo(dims));
        Assert.That(to.Describe(), Does.Contain($"block={block}"));
        Assert.That(from.Describe(), Does.Contain($"block={block}").And.Contain($"channels={dims[1]}"));
        Assert.That(to.Flops(Input(dims), []) + from.Flops(Input(blockedDims), []), Is.Zero);
    }

    [Test]
    public void ReorderOps_InvalidBlockChannelsOrRank_AreRefused()
    {
        Assert.Throws<InvalidModelException>(() => Infer(new ReorderToBlockedOp(0), 1, 3, 4, 4), "block 0");
        Assert.Throws<InvalidModelException>(() => Infer(new ReorderFromBlockedOp(-8, 3), 1, 8, 4, 4), "negative block");
        Assert.Throws<InvalidModelException>(() => Infer(new ReorderFromBlockedOp(8, 3), 1, 12, 4, 4), "12 channels are not a multiple of 8");
        Assert.Throws<InvalidModelException>(() => Infer(new ReorderFromBlockedOp(8, 17), 1, 16, 4, 4), "17 channels do not fit 16");
        Assert.Throws<InvalidModelException>(() => Infer(new ReorderToBlockedOp(8), 1, 3), "no spatial dims");
        Assert.Throws<InvalidModelException>(() => Infer(new ReorderToBlockedOp(8), 1, 3, 2, 2, 2, 2), "4 spatial dims");
        var op = new ReorderToBlockedOp(8);
        Assert.Throws<UnsupportedModelException>(() => op.Infer(NodeOf(op), [new ValueInfo("x", ElementType.Float64, [1, 3, 4])]), "float64");
    }

    private static void Infer(Operator op, params int[] dims) => op.Infer(NodeOf(op), Input(dims));
}
