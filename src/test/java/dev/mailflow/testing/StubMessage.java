package dev.mailflow.testing;

import dev.mailflow.server.ReceivedMessage;
import dev.mailflow.smtp.MailAddress;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** A message at the end of data for hook tests: fixed content, and the edits asked of it recorded. */
public class StubMessage implements ReceivedMessage {

    private final byte[] content;
    public final List<String> edits = new ArrayList<>();

    public StubMessage(byte[] content) {
        this.content = content.clone();
    }

    @Override
    public long id() {
        return 1;
    }

    @Override
    public long size() {
        return content.length;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(content);
    }

    @Override
    public void addHeader(String field) {
        edits.add("add " + field);
    }

    @Override
    public void appendHeader(String field) {
        edits.add("append " + field);
    }

    @Override
    public void insertHeader(int index, String field) {
        edits.add("insert " + index + " " + field);
    }

    @Override
    public void changeHeader(String name, int occurrence, String field) {
        edits.add("change " + name + " " + occurrence + " " + field);
    }

    @Override
    public void replaceBody(byte[] body) {
        edits.add("body " + body.length);
    }

    @Override
    public MailAddress sender() {
        return MailAddress.NULL_SENDER;
    }

    @Override
    public List<MailAddress> recipients() {
        return List.of();
    }

    @Override
    public void changeSender(MailAddress sender) {
        edits.add("sender " + sender);
    }

    @Override
    public void addRecipient(MailAddress recipient) {
        edits.add("rcpt+ " + recipient);
    }

    @Override
    public boolean removeRecipient(MailAddress recipient) {
        edits.add("rcpt- " + recipient);
        return false;
    }
}
