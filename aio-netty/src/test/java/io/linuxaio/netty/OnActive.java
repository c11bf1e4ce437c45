package io.linuxaio.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Consumer;

/** Test handler: does something with the context once the channel is active. */
final class OnActive extends ChannelInboundHandlerAdapter {
    private final Consumer<ChannelHandlerContext> action;

    OnActive(Consumer<ChannelHandlerContext> action) {
        this.action = action;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        action.accept(ctx);
        ctx.fireChannelActive();
    }
}
