package io.gitwarden.protocol;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.eclipse.jgit.transport.PacketLineIn;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReceivePackReportTests {

	@Test
	void plainReportHasALinePerRef() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		new ReceivePackReport(SideBand.NONE).message("dropped without side-band")
			.rejected("refs/heads/main", "no\nnewlines")
			.writeTo(out);
		PacketLineIn in = new PacketLineIn(new ByteArrayInputStream(out.toByteArray()));
		assertThat(in.readString()).isEqualTo("unpack ok");
		assertThat(in.readString()).isEqualTo("ng refs/heads/main no newlines");
		assertThat(PacketLineIn.isEnd(in.readString())).isTrue();
	}

	@Test
	void sideBandReportPutsMessagesOnChannelTwoAndTheReportOnChannelOne() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		new ReceivePackReport(SideBand.LARGE).message("hello").rejected("refs/tags/v1", "nope").writeTo(out);
		PacketLineIn in = new PacketLineIn(new ByteArrayInputStream(out.toByteArray()));
		assertThat(in.readStringRaw()).isEqualTo("\u0002hello\n");
		String channelOne = in.readStringRaw();
		assertThat(channelOne).startsWith("\u0001");
		PacketLineIn report = new PacketLineIn(
				new ByteArrayInputStream(channelOne.substring(1).getBytes(StandardCharsets.UTF_8)));
		assertThat(report.readString()).isEqualTo("unpack ok");
		assertThat(report.readString()).isEqualTo("ng refs/tags/v1 nope");
		assertThat(PacketLineIn.isEnd(report.readString())).isTrue();
		assertThat(PacketLineIn.isEnd(in.readString())).isTrue();
	}

	@Test
	void fatalErrorUsesChannelThreeOrErr() throws IOException {
		ByteArrayOutputStream sideBand = new ByteArrayOutputStream();
		ReceivePackReport.writeFatal(SideBand.LARGE, "too big", sideBand);
		assertThat(sideBand.toString(StandardCharsets.UTF_8)).isEqualTo("000d\u0003too big\n0000");
		ByteArrayOutputStream plain = new ByteArrayOutputStream();
		ReceivePackReport.writeFatal(SideBand.NONE, "too big", plain);
		assertThat(plain.toString(StandardCharsets.UTF_8)).isEqualTo("0010ERR too big\n");
	}

}
