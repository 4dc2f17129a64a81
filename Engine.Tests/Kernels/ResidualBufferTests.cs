using Cardinal.Kernels.Cpu;
using Cardinal.Kernels.Cpu.Conv;
using Cardinal.Kernels.Cpu.Nchwc;
using Cardinal.Kernels.Cpu.Threading;
using Cardinal.Testing;
using Cardinal.Tests.TestUtilities;

namespace Cardinal.Tests.Kernels;

/// <summary>
/// Which blocked layers let their output take over the residual's buffer (<see cref="BlockedTuning.SeparateSharedResidual"/>):
/// all of them on one thread or with an image per thread, and where the input outweighs the filter; on more threads than
/// images, a layer whose filter outweighs its input writes a buffer of its own. Every one of them still may (the kernel's
/// capability, checked in place bit for bit by <see cref="BlockedOutputAssert"/>): only the preference changes.
/// </summary>
[TestFixture]
public class ResidualBufferTests
{
    private static readonly ParallelRunner Two = new(2);

    private static BlockedDirectPlan Plan(ConvShape shape, ParallelRunner parallel, BlockedTuning? tuning = null)
    {
        References.RequireBlockedTier(CpuIsas.Blocked.Any(), "the blocked kernels");
        return BlockedPlans.WithRandomWeights(shape, CpuIsas.Blocked.First(), parallel, tuning);
    }

    [Test]
    public void ResNet50Layer3Residual_KeptApartOnTwoThreads_OverwrittenOnOne()
    {
        // layer3's 256 → 1024 +Add (1 MB of filter, 200 KB of input).
        var shape = new ConvShape(1, 256, 1024, 1, ConvCase.Planar(14, 14, 1, 1, 0), new(true, true));
        BlockedDirectPlan two = Plan(shape, Two), one = Plan(shape, ParallelRunner.Sequential);
        Assert.That((two.OutputMayBeResidual, two.OutputOverResidual), Is.EqualTo((true, false)), "2 threads: a buffer of its own");
        Assert.That((one.OutputMayBeResidual, one.OutputOverResidual), Is.EqualTo((true, true)), "1 thread: over the residual");
        Assert.That(Plan(shape, Two, BlockedTuning.ResidualAlwaysOverwritten).OutputOverResidual, Is.True, "the rule off: the path before");
        Assert.That(Plan(shape with { Batch = 2 }, Two).OutputOverResidual, Is.True, "an image per thread: over the residual");
        // layer4's 512 → 2048 +Add at 7×7 (4 MB, 100 KB) likewise.
        var layer4 = new ConvShape(1, 512, 2048, 1, ConvCase.Planar(7, 7, 1, 1, 0), new(true, true));
        Assert.That(Plan(layer4, Two).OutputOverResidual, Is.False);
    }

    [Test]
    public void Layer1Residual_OverwrittenOnTwoThreads()
    {
        // layer1's 64 → 256 +Add at 56×56 (64 KB of filter, 800 KB of input): its rows, hence the residual's, are each thread's own.
        var shape = new ConvShape(1, 64, 256, 1, ConvCase.Planar(56, 56, 1, 1, 0), new(true, true));
        Assert.That(Plan(shape, Two).OutputOverResidual, Is.True);
    }
}
