using Afml.Core;
using Afml.Core.Analysis;
using Afml.Core.Recording;

namespace Afml.Tests.Analysis;

public class SessionChartTests
{
    [Fact]
    public void An_empty_registro_is_a_clear_error_and_leaves_an_existing_chart_untouched()
    {
        var dir = Directory.CreateTempSubdirectory("afml-chart-").FullName;
        try
        {
            var png = Path.Combine(dir, "registro.png");
            File.WriteAllText(png, "previous chart");
            var error = Assert.Throws<AfmlException>(() => new SessionChart().Save(Array.Empty<RegistroRow>(), png));
            Assert.Equal("RegistroEmpty", error.ErrorId);
            Assert.Equal("previous chart", File.ReadAllText(png));
            Assert.Single(Directory.GetFiles(dir)); // no temp file left behind
        }
        finally { Directory.Delete(dir, true); }
    }
}
