using Afml.Core.Features;

namespace Afml.Tests.Features;

public class PythonFloatTests
{
    [Theory]
    [InlineData(2.0, "2.0")]
    [InlineData(2.5, "2.5")]
    [InlineData(0.0003, "0.0003")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(5.5363680642284374e-05, "5.5363680642284374e-05")]
    [InlineData(10000.0, "10000.0")]
    public void Formats_like_python_repr(double value, string expected) =>
        Assert.Equal(expected, PythonFloat.Format(value));
}
