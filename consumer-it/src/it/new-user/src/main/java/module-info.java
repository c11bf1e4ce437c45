/** A user's program on the module path: our two automatic modules, and Netty's modules. */
module com.example.newuser {
    requires io.linuxaio;
    requires io.linuxaio.netty;
    requires io.netty.buffer;
    requires io.netty.codec.http;
    requires io.netty.common;
    requires io.netty.transport;
    requires io.netty.transport.classes.epoll;
}
