package io.linuxaio;

import java.util.List;

/**
 * What {@link AioContext#scandir} delivers, IO::AIO's {@code ($dirs, $nondirs)}: the names of a
 * directory split into those you can descend into and the rest. Names are relative to the
 * directory, decoded losslessly (see {@link FileNames}), never "." or "..".
 *
 * @param dirs the subdirectories (not symbolic links to directories)
 * @param nondirs everything else: files, symbolic links (to directories too), devices, FIFOs, sockets
 */
public record DirectoryScan(List<String> dirs, List<String> nondirs) {
    public DirectoryScan {
        dirs = List.copyOf(dirs);
        nondirs = List.copyOf(nondirs);
    }
}
