/* HistRef.java - reference figures from Java HdrHistogram, for tests/integration/t_hist_java.sh.
 *
 *   java HistRef encode LOWEST HIGHEST DIGITS < values   (one value a line)
 *       line 1: base64 of encodeIntoCompressedByteBuffer (Deflater default level, as OMB)
 *       line 2: base64 of encodeIntoByteBuffer (the uncompressed V2 encoding)
 *       then the statistics block of the histogram
 *   java HistRef decode < lines of base64 (V2 compressed)
 *       the statistics block of each decoded histogram
 *
 * The statistics block is printed identically by tests/data/java/hist_ref_tool.c; doubles
 * are printed as their IEEE-754 bits so that the comparison is exact.
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Base64;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

public class HistRef {
    static final String[] PERCENTILES = {
        "0", "0.1", "1", "10", "25", "50", "75", "90", "95", "99", "99.9", "99.99", "99.999", "100"
    };

    static String bits(double d) {
        return String.format("%016x", Double.doubleToLongBits(d));
    }

    static void stats(Histogram h, PrintStream out) {
        out.println("range " + h.getLowestDiscernibleValue() + " " + h.getHighestTrackableValue()
                + " " + h.getNumberOfSignificantValueDigits());
        out.println("total " + h.getTotalCount());
        out.println("min " + h.getMinValue());
        out.println("max " + h.getMaxValue());
        out.println("mean " + bits(h.getMean()));
        out.println("stddev " + bits(h.getStdDeviation()));
        for (String p : PERCENTILES) {
            out.println("p " + p + " " + h.getValueAtPercentile(Double.parseDouble(p)));
        }
        for (int ticks : new int[] {100, 5}) {
            int n = 0;
            for (HistogramIterationValue v : h.percentiles(ticks)) {
                out.println("walk" + ticks + " " + bits(v.getPercentile()) + " "
                        + bits(v.getPercentileLevelIteratedTo()) + " " + v.getValueIteratedTo());
                n++;
            }
            out.println("steps" + ticks + " " + n);
        }
        out.println("end");
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        PrintStream out = new PrintStream(new java.io.BufferedOutputStream(System.out), false);
        if (args.length == 4 && args[0].equals("encode")) {
            Histogram h = new Histogram(Long.parseLong(args[1]), Long.parseLong(args[2]),
                    Integer.parseInt(args[3]));
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    h.recordValue(Long.parseLong(line.trim()));
                }
            }
            ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity() + 1024);
            int n = h.encodeIntoCompressedByteBuffer(buf);
            out.println(Base64.getEncoder().encodeToString(Arrays.copyOf(buf.array(), n)));
            ByteBuffer raw = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
            int m = h.encodeIntoByteBuffer(raw);
            out.println(Base64.getEncoder().encodeToString(Arrays.copyOf(raw.array(), m)));
            stats(h, out);
        } else if (args.length == 1 && args[0].equals("decode")) {
            String line;
            while ((line = in.readLine()) != null) {
                line = line.trim();
                if (line.isEmpty()) {
                    continue;
                }
                Histogram h = Histogram.decodeFromCompressedByteBuffer(
                        ByteBuffer.wrap(Base64.getDecoder().decode(line)), 0);
                stats(h, out);
            }
        } else {
            System.err.println("usage: HistRef encode LOWEST HIGHEST DIGITS < values | decode < base64");
            System.exit(2);
        }
        out.flush();
    }
}
