using Cardinal.Epilogues;
using Cardinal.Graph.Ops;

namespace Cardinal.Kernels.Cpu.Conv;

/// <summary>What a plan runs once it knows its epilogue type (its loops are instantiated per epilogue struct).</summary>
internal interface IEpilogueAction
{
    void Run<TEpilogue>() where TEpilogue : struct, IEpilogue;
}

/// <summary>
/// The one place that maps a layer's fused flags (residual, ReLU) to the epilogue struct its kernels are instantiated
/// with; the blocked direct, diagonal grouped, NCHW-stem and Winograd plans had each written this switch.
/// </summary>
internal static class EpilogueDispatch
{
    public static void Run<TAction>(in ConvEpilogue epilogue, TAction action) where TAction : struct, IEpilogueAction
    {
        switch ((epilogue.Residual, epilogue.Relu))
        {
            case (false, false): action.Run<BiasEpilogue>(); break;
            case (false, true): action.Run<BiasReluEpilogue>(); break;
            case (true, false): action.Run<BiasResidualEpilogue>(); break;
            default: action.Run<BiasResidualReluEpilogue>(); break;
        }
    }
}
